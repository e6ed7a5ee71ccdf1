using System.Net;
using System.Text;
using System.Text.Json;
using EnrichProxy.IntegrationTests.Fixtures;
using EnrichProxy.IntegrationTests.Infrastructure;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Types;
using WireMock.Util;
using static EnrichProxy.IntegrationTests.Infrastructure.ProxyHost;

namespace EnrichProxy.IntegrationTests.Admin;

/// <summary><c>POST /admin/purge</c> by url, route and tag on one instance with the embedded disk L2.</summary>
public sealed class PurgeTests : IDisposable
{
    private const string ProxyKey = "proxy-tmdb-key-for-purges-0123";
    private readonly FakeUpstream _tmdb = new();

    public PurgeTests()
    {
        foreach (var id in new[] { 603, 604 })
        {
            _tmdb.Json($"/3/movie/{id}", Tmdb.Movie());
            _tmdb.Json($"/3/movie/{id}/credits", """{"cast":[]}""");
            _tmdb.Json($"/3/movie/{id}/images", """{"posters":[]}""");
        }

        _tmdb.Json("/3/tv/1399", """{"id":1399}""");
    }

    [Fact]
    public async Task PurgeByUrl_RefetchesThatUrlOnly_WhateverItsQueryOrderOrKey()
    {
        await using var proxy = await StartAsync(Settings());
        await WarmAsync(proxy, "/tmdb/3/movie/603?language=en&page=1", "/tmdb/3/movie/604?language=en&page=1");

        using var purge = await proxy.PurgeAsync(new { url = "http://proxy.example/tmdb/3/movie/603?page=1&api_key=anything&language=en" });
        var result = await JsonAsync(purge);

        Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
        Assert.Equal("url", result.GetProperty("scope").GetString());
        Assert.Equal("/tmdb/3/movie/603?language=en&page=1", result.GetProperty("value").GetString());
        Assert.Equal("MISS", await XCacheAsync(proxy, "/tmdb/3/movie/603?page=1&language=en"));
        Assert.Equal("HIT", await XCacheAsync(proxy, "/tmdb/3/movie/603?language=en&page=1"));
        Assert.Equal("HIT", await XCacheAsync(proxy, "/tmdb/3/movie/604?language=en&page=1"));
        Assert.Equal(2, _tmdb.Received("/3/movie/603").Count);
        Assert.Single(_tmdb.Received("/3/movie/604"));
    }

    [Fact]
    public async Task PurgeByRoute_RefetchesEveryAnswerOfThatRouteOnly()
    {
        await using var proxy = await StartAsync(Settings());
        await WarmAsync(proxy, "/tmdb/3/movie/603", "/tmdb/3/movie/604", "/tmdb/3/movie/603/credits");

        using var purge = await proxy.PurgeAsync(new { route = "TMDB-Movie" });

        Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
        Assert.Equal("tmdb-movie", (await JsonAsync(purge)).GetProperty("value").GetString());
        Assert.Equal("MISS", await XCacheAsync(proxy, "/tmdb/3/movie/603"));
        Assert.Equal("MISS", await XCacheAsync(proxy, "/tmdb/3/movie/604"));
        Assert.Equal("HIT", await XCacheAsync(proxy, "/tmdb/3/movie/603/credits"));
    }

    [Fact]
    public async Task PurgeByTag_RefetchesEveryRouteTaggedWithTheItem_FromPolicyAndRouteTags()
    {
        await using var proxy = await StartAsync(Settings());
        await WarmAsync(proxy, "/tmdb/3/movie/603", "/tmdb/3/movie/603/credits", "/tmdb/3/movie/603/images", "/tmdb/3/movie/604", "/tmdb/3/tv/1399");

        using var purge = await proxy.PurgeAsync(new { tag = "tmdb:movie:603" });

        Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
        Assert.Equal("MISS", await XCacheAsync(proxy, "/tmdb/3/movie/603"));
        Assert.Equal("MISS", await XCacheAsync(proxy, "/tmdb/3/movie/603/credits"));
        Assert.Equal("MISS", await XCacheAsync(proxy, "/tmdb/3/movie/603/images"));
        Assert.Equal("HIT", await XCacheAsync(proxy, "/tmdb/3/movie/604"));
        Assert.Equal("HIT", await XCacheAsync(proxy, "/tmdb/3/tv/1399"));
    }

    [Theory]
    [InlineData("tag", "tmdb:movie:642")]
    [InlineData("url", "/tmdb/3/movie/642")]
    [InlineData("url", "/tmdb/3/Movie/0642")]
    public async Task APurge_CannotBeDodgedByAnotherSpellingOfTheId(string scope, string value)
    {
        _tmdb.Json("/3/movie/0642", Tmdb.Movie());
        _tmdb.Json("/3/movie/+642", Tmdb.Movie());
        _tmdb.Json("/3/movie/642", Tmdb.Movie());
        await using var proxy = await StartAsync(Settings());
        await WarmAsync(proxy, "/tmdb/3/movie/642", "/tmdb/3/movie/0642", "/tmdb/3/movie/+642");

        using var purge = await proxy.PurgeAsync(scope == "tag" ? new { tag = value } : (object)new { url = value });

        Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
        Assert.Equal("MISS", await XCacheAsync(proxy, "/tmdb/3/movie/642"));
        Assert.Equal("MISS", await XCacheAsync(proxy, "/tmdb/3/movie/0642"));
        Assert.Equal("MISS", await XCacheAsync(proxy, "/tmdb/3/movie/+642"));
    }

    [Fact]
    public async Task APurgedTag_IsLoggedOnOneLine_WithItsControlCharactersEscaped()
    {
        await using var proxy = await StartAsync(Settings());

        using var purge = await proxy.PurgeAsync(new { tag = "tmdb:movie:603\r\ninfo: EnrichProxy.Admin[1] forged" });

        Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
        var logged = Assert.Single(proxy.Logs.Lines, line => line.Contains("[Purged]", StringComparison.Ordinal));
        Assert.Contains("tmdb:movie:603\\u000d\\u000ainfo: EnrichProxy.Admin[1] forged", logged, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', logged);
    }

    [Fact]
    public async Task AFillOnItsWayWhenThePurgeCame_IsPurgedToo()
    {
        using var received = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        _tmdb.Server.Given(Request.Create().WithPath("/3/movie/605").UsingGet()).RespondWith(Response.Create().WithCallback(_ =>
        {
            received.Set();
            release.Wait(TimeSpan.FromSeconds(30));
            return new ResponseMessage { StatusCode = 200, BodyData = new BodyData { BodyAsString = Tmdb.Movie("Old"), DetectedBodyType = BodyType.String } };
        }));
        await using var proxy = await StartAsync(Settings());

        var inFlight = proxy.Client.GetAsync("/tmdb/3/movie/605");
        Assert.True(received.Wait(TimeSpan.FromSeconds(30)), "the fill reached the upstream");
        using (var purge = await proxy.PurgeAsync(new { tag = "tmdb:movie:605" }))
        {
            Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
        }

        release.Set();
        using var first = await inFlight;
        using var second = await proxy.Client.GetAsync("/tmdb/3/movie/605");

        Assert.Equal("MISS", first.XCache());
        Assert.Equal("MISS", second.XCache()); // The answer may predate the purge: it is not kept.
        Assert.Equal(2, _tmdb.Received("/3/movie/605").Count);
    }

    [Fact]
    public async Task APurgedEntry_IsNotServedStaleWhenTheUpstreamFails()
    {
        await using var proxy = await StartAsync(Settings(Policy("tmdb-movie", "Ttl", TimeSpan.FromMilliseconds(300)), Policy("tmdb-movie", "StaleWhileRevalidate", TimeSpan.Zero)));
        await WarmAsync(proxy, Tmdb.ProxyMoviePath);
        await proxy.PurgeAsync(new { tag = "tmdb:movie:603" });
        _tmdb.Server.Reset();
        _tmdb.Json(Tmdb.MoviePath, """{"status_message":"down"}""", status: 500);
        await Task.Delay(400); // Past the TTL: only fail-safe's stale copy is left, and it was purged.

        using var response = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("MISS", response.XCache());
    }

    [Fact]
    public async Task Purges_SurviveARestart()
    {
        var contentRoot = Directory.CreateTempSubdirectory("enrichproxy-purge-restart-").FullName;
        try
        {
            await using (var first = await StartAsync(Settings(), contentRoot: contentRoot))
            {
                await WarmAsync(first, Tmdb.ProxyMoviePath);
                await first.PurgeAsync(new { route = "tmdb-movie" });
            }

            await using var second = await StartAsync(Settings(), contentRoot: contentRoot);

            Assert.Equal("MISS", await XCacheAsync(second, Tmdb.ProxyMoviePath));
            Assert.Equal(2, _tmdb.Received(Tmdb.MoviePath).Count);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(contentRoot, recursive: true);
        }
    }

    [Fact]
    public async Task AFullPurgeLedger_IsFoldedAtStart_AndStaysBoundedOnDisk()
    {
        var contentRoot = Directory.CreateTempSubdirectory("enrichproxy-purge-ledger-").FullName;
        try
        {
            // As thousands of webhooks for made-up movies left it: one marker each, all within the retention.
            var ledger = Path.Combine(contentRoot, "cache", "purges.json");
            Directory.CreateDirectory(Path.GetDirectoryName(ledger)!);
            var since = DateTimeOffset.UtcNow.AddHours(-1);
            var count = global::EnrichProxy.Caching.Purging.PurgeLedger.MaxMarkers + 1000;
            await File.WriteAllTextAsync(ledger, JsonSerializer.Serialize(Enumerable.Range(0, count).Select(i =>
                new { scope = "Tag", value = $"enrich:movies:{i}", purgedAt = since.AddMilliseconds(i) })));
            await using var proxy = await StartAsync(Settings(), contentRoot: contentRoot);

            await WarmAsync(proxy, Tmdb.ProxyMoviePath); // Stored after the fold: not covered by it.
            using var purge = await proxy.PurgeAsync(new { tag = "tmdb:movie:604" });
            using var stats = await proxy.StatsAsync();

            Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
            var markers = (await JsonAsync(stats)).GetProperty("cache").GetProperty("purges").GetProperty("markers").GetInt32();
            Assert.InRange(markers, 2, (global::EnrichProxy.Caching.Purging.PurgeLedger.MaxMarkers / 2) + 2);
            var onDisk = JsonDocument.Parse(await File.ReadAllTextAsync(ledger)).RootElement;
            Assert.InRange(onDisk.GetArrayLength(), 2, (global::EnrichProxy.Caching.Purging.PurgeLedger.MaxMarkers / 2) + 2);
            Assert.Contains(onDisk.EnumerateArray(), marker => marker.GetProperty("scope").GetString() == "TagPrefix" && marker.GetProperty("value").GetString() == "enrich:movies:");
            Assert.Equal("HIT", await XCacheAsync(proxy, Tmdb.ProxyMoviePath));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(contentRoot, recursive: true);
        }
    }

    [Theory]
    [InlineData("{}", HttpStatusCode.BadRequest)]
    [InlineData("""{"url":"/tmdb/3/movie/603","tag":"tmdb:movie:603"}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"url":"tmdb/3/movie/603"}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"url":"ftp://host/tmdb/3/movie/603"}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"tag":"  "}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"route":"tmdb"}""", HttpStatusCode.NotFound)]
    [InlineData("""{"route":"no-such-route"}""", HttpStatusCode.NotFound)]
    [InlineData("not json", HttpStatusCode.BadRequest)]
    [InlineData("", HttpStatusCode.BadRequest)]
    [InlineData("LONG", HttpStatusCode.RequestEntityTooLarge)]
    public async Task BadPurgeRequests_GetAProblemThatSaysWhat(string body, HttpStatusCode expected)
    {
        await using var proxy = await StartAsync(Settings());
        body = body == "LONG" ? $$"""{"url":"/{{new string('a', 20_000)}}"}""" : body;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/purge") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Admin-Key", AdminClient.Key);

        using var response = await proxy.Client.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.False(string.IsNullOrEmpty((await JsonAsync(response)).GetProperty("detail").GetString()));
    }

    public void Dispose() => _tmdb.Dispose();

    // Each URL twice: a miss, then a hit that teaches the fast path, so that purges are seen past it too.
    private static async Task WarmAsync(ProxyHost proxy, params string[] paths)
    {
        foreach (var path in paths)
        {
            Assert.Equal("MISS", await XCacheAsync(proxy, path));
            Assert.Equal("HIT", await XCacheAsync(proxy, path));
            Assert.Equal("HIT", await XCacheAsync(proxy, path));
        }
    }

    private static async Task<string> XCacheAsync(ProxyHost proxy, string path)
    {
        using var response = await proxy.Client.GetAsync(path);
        return response.XCache();
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    private Dictionary<string, string> Settings(params (string Key, string Value)[] extra) => ProxyHost.Settings(
        [Destination("tmdb", _tmdb.Url), ("EnrichProxy:Upstreams:tmdb:ApiKey", ProxyKey), ("EnrichProxy:Upstreams:tmdb:Retry:MaxRetries", "0"), AdminClient.Enabled, .. extra]);
}

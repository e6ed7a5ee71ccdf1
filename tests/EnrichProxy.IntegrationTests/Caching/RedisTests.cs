using System.Net;
using EnrichProxy.IntegrationTests.Fixtures;
using EnrichProxy.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using ZiggyCreatures.Caching.Fusion;
using static EnrichProxy.IntegrationTests.Infrastructure.ProxyHost;

namespace EnrichProxy.IntegrationTests.Caching;

[Collection(RedisTests.Name)]
public sealed class RedisL2Tests(RedisServer redis) : IDisposable
{
    private const string TmdbKey = "tmdb-redis-secret-7d3a9b";
    private readonly FakeUpstream _tmdb = new();
    // Each test has its own key prefix and backplane channel on the shared server.
    private readonly string _instance = $"test-{Guid.NewGuid():N}:";

    [Fact]
    public async Task TwoInstancesOnOneRedis_ShareTheSecondLevel()
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie());
        await using var first = await StartAsync(Settings());
        await using var second = await StartAsync(Settings());

        using var miss = await first.Client.GetAsync(Tmdb.ProxyMoviePath);
        using var hit = await second.Client.GetAsync(Tmdb.ProxyMoviePath);

        Assert.Equal("MISS", miss.XCache());
        Assert.Equal("HIT", hit.XCache());
        Assert.Equal(await miss.BodyAsync(), await hit.BodyAsync());
        Assert.Single(_tmdb.Received(Tmdb.MoviePath));
    }

    [Fact]
    public async Task APurgeThroughOneInstance_ReachesTheOtherThroughTheBackplane()
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie());
        await using var first = await StartAsync(Settings());
        await using var second = await StartAsync(Settings());
        await first.Client.GetAsync(Tmdb.ProxyMoviePath);
        using var inSecondMemory = await second.Client.GetAsync(Tmdb.ProxyMoviePath);
        Assert.Equal("HIT", inSecondMemory.XCache());

        await first.Services.GetRequiredService<IFusionCache>().RemoveAsync("tmdb-movie|GET|/tmdb/3/movie/603");

        var deadline = DateTime.UtcNow.AddSeconds(20);
        HttpResponseMessage afterPurge;
        do
        {
            await Task.Delay(100);
            afterPurge = await second.Client.GetAsync(Tmdb.ProxyMoviePath);
        }
        while (afterPurge.XCache() == "HIT" && DateTime.UtcNow < deadline);

        Assert.Equal("MISS", afterPurge.XCache());
        Assert.Equal(2, _tmdb.Received(Tmdb.MoviePath).Count);
    }

    [Fact]
    public async Task APurgeByTagThroughTheAdminApi_ReachesEveryInstance_AndOneStartedLater()
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie());
        _tmdb.Json("/3/movie/604", Tmdb.Movie("Reloaded"));
        await using var first = await StartAsync(Settings());
        await using var second = await StartAsync(Settings());
        foreach (var proxy in new[] { first, second, second })
        {
            await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
            await proxy.Client.GetAsync("/tmdb/3/movie/604");
        }

        using var purge = await first.PurgeAsync(new { tag = "tmdb:movie:603" });
        Assert.Equal(HttpStatusCode.OK, purge.StatusCode);

        Assert.Equal("MISS", await FirstNonHitAsync(second, Tmdb.ProxyMoviePath));
        using (var again = await first.Client.GetAsync(Tmdb.ProxyMoviePath))
        {
            Assert.Equal("HIT", again.XCache()); // The second instance's refill, through L2.
        }

        using (var other = await second.Client.GetAsync("/tmdb/3/movie/604"))
        {
            Assert.Equal("HIT", other.XCache());
        }

        Assert.Equal(2, _tmdb.Received(Tmdb.MoviePath).Count);

        // An instance that starts after the purge reads it from Redis: an older copy would not be served.
        await first.PurgeAsync(new { route = "tmdb-movie" });
        await using var third = await StartAsync(Settings());
        using var late = await third.Client.GetAsync(Tmdb.ProxyMoviePath);
        Assert.Equal("MISS", late.XCache());
    }

    [Fact]
    public async Task ASuccessfulPostThroughOneInstance_DropsTheCachedReadOnEveryInstance()
    {
        _tmdb.Server.Given(WireMock.RequestBuilders.Request.Create().WithPath("/3/movie/603/rating").UsingGet())
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithHeader("Content-Type", "application/json").WithBody("""{"value":8}"""));
        _tmdb.Server.Given(WireMock.RequestBuilders.Request.Create().WithPath("/3/movie/603/rating").UsingPost())
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithStatusCode(201).WithBody("{}"));
        await using var first = await StartAsync(Settings());
        await using var second = await StartAsync(Settings());
        foreach (var proxy in new[] { first, second, second })
        {
            using var read = await proxy.Client.GetAsync("/tmdb/3/movie/603/rating");
        }

        using var post = await first.Client.PostAsync("/tmdb/3/movie/603/rating", new StringContent("""{"value":9}"""));

        Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        Assert.Equal("MISS", await FirstNonHitAsync(second, "/tmdb/3/movie/603/rating"));
    }

    [Fact]
    public async Task Overrides_AreSharedByEveryInstance()
    {
        await using var first = await StartAsync(Settings());
        await using var second = await StartAsync(Settings());
        using var put = new HttpRequestMessage(HttpMethod.Put, "/admin/overrides/movies/603") { Content = new StringContent("""{"title":"Shared"}""", System.Text.Encoding.UTF8, "application/json") };
        put.Headers.Add("X-Admin-Key", AdminClient.Key);
        Assert.Equal(HttpStatusCode.OK, (await first.Client.SendAsync(put)).StatusCode);

        using var get = new HttpRequestMessage(HttpMethod.Get, "/admin/overrides/movies/603");
        get.Headers.Add("X-Admin-Key", AdminClient.Key);
        using var read = await second.Client.SendAsync(get);

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Contains("Shared", await read.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnArrWebhookThroughOneInstance_PurgesTheDocumentOnEveryInstance()
    {
        using var radarr = new FakeUpstream();
        radarr.Json(Radarr.MoviePath, Radarr.LibraryMovie());
        _tmdb.Json(Tmdb.MoviePath, Tmdb.MovieWithCredits());
        var settings = Settings();
        settings[$"ReverseProxy:Clusters:radarr:Destinations:default:Address"] = radarr.Url + "/";
        settings["EnrichProxy:Upstreams:radarr:ApiKey"] = "radarr-key-for-redis-tests-01";
        settings["EnrichProxy:Webhooks:AllowAnonymous"] = "true";
        await using var first = await StartAsync(settings);
        await using var second = await StartAsync(settings);
        // The library's view of the document, as a holder of the Radarr key asks for it.
        first.Client.DefaultRequestHeaders.Add("X-Api-Key", "radarr-key-for-redis-tests-01");
        second.Client.DefaultRequestHeaders.Add("X-Api-Key", "radarr-key-for-redis-tests-01");
        await first.Client.GetAsync("/api/v1/movies/603");
        using (var shared = await second.Client.GetAsync("/api/v1/movies/603"))
        {
            Assert.Equal("cache", shared.Headers.GetValues("X-EnrichProxy-Source").Single());
        }

        using var webhook = await first.Client.PostAsync("/webhooks/radarr", new StringContent(
            """{"eventType":"MovieFileDelete","movie":{"id":1,"title":"The Matrix","tmdbId":603}}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, webhook.StatusCode);

        var deadline = DateTime.UtcNow.AddSeconds(20);
        string source;
        do
        {
            using var again = await second.Client.GetAsync("/api/v1/movies/603");
            source = again.Headers.GetValues("X-EnrichProxy-Source").Single();
        }
        while (source == "cache" && DateTime.UtcNow < deadline);

        Assert.Equal("arr", source);
    }

    [Fact]
    public async Task Ready_ReportsTheBackplane()
    {
        await using var proxy = await StartAsync(Settings());

        using var ready = await proxy.Client.GetAsync("/health/ready");
        var backplane = System.Text.Json.JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement.GetProperty("checks").GetProperty("backplane");

        Assert.Equal("Healthy", backplane.GetProperty("status").GetString());
        Assert.Equal("redis", backplane.GetProperty("data").GetProperty("backplane").GetString());
        Assert.Equal("subscribed", backplane.GetProperty("data").GetProperty("purges").GetString());
    }

    [Fact]
    public async Task Ready_ChecksRedisAndTheProxyKeepsAnsweringWhenRedisIsAway()
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie());
        await using (var healthy = await StartAsync(Settings()))
        {
            using var ready = await healthy.Client.GetAsync("/health/ready");
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        var nowhere = $"127.0.0.1:{RedisServer.FreePort()},connectTimeout=500,asyncTimeout=500,syncTimeout=500";
        await using var orphan = await StartAsync(ProxyHost.Settings(
            Destination("tmdb", _tmdb.Url), ("EnrichProxy:Redis:Configuration", nowhere), ("EnrichProxy:Redis:InstanceName", _instance)));

        using var notReady = await orphan.Client.GetAsync("/health/ready");
        using var live = await orphan.Client.GetAsync("/health/live");
        using var miss = await orphan.Client.GetAsync(Tmdb.ProxyMoviePath);
        using var hit = await orphan.Client.GetAsync(Tmdb.ProxyMoviePath);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, miss.StatusCode);
        Assert.Equal("HIT", hit.XCache());
        var scrape = await orphan.ScrapeAsync("enrichproxy_cache_l2_errors_total");
        Assert.True(PrometheusText.Value(scrape, "enrichproxy_cache_l2_errors_total", ("operation", "get")) >= 1, "the failed L2 reads are counted");
        var backplane = System.Text.Json.JsonDocument.Parse(await notReady.Content.ReadAsStringAsync()).RootElement.GetProperty("checks").GetProperty("backplane");
        Assert.Equal("Degraded", backplane.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Keys_NeverReachRedis()
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie());
        _tmdb.Json("/3/movie/404", $$"""{"status_message":"no /3/movie/404?api_key={{TmdbKey}}"}""", status: 404);
        await using var proxy = await StartAsync(Settings());

        await proxy.Client.GetAsync(Tmdb.ProxyMoviePath + "?api_key=client-key");
        await proxy.Client.GetAsync("/tmdb/3/movie/404?api_key=client-key");
        var dump = await redis.DumpAsync();

        Assert.Contains(_instance, dump, StringComparison.Ordinal);
        Assert.DoesNotContain(TmdbKey, dump, StringComparison.Ordinal);
        Assert.DoesNotContain("client-key", dump, StringComparison.Ordinal);
    }

    public void Dispose() => _tmdb.Dispose();

    // Polls: the purge reaches the other instance through Redis pub/sub, a moment later.
    private static async Task<string> FirstNonHitAsync(ProxyHost proxy, string path)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            using var response = await proxy.Client.GetAsync(path);
            if (response.XCache() != "HIT" || DateTime.UtcNow > deadline)
            {
                return response.XCache();
            }

            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task AFullPurgeHashInRedis_IsFoldedAtStart_AndTheMarkersItReplacesLeaveTheHash()
    {
        // As thousands of webhooks for made-up movies left it: one marker each, all within the retention.
        await using (var connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.Configuration))
        {
            var since = DateTimeOffset.UtcNow.AddHours(-1);
            var fields = Enumerable.Range(0, global::EnrichProxy.Caching.Purging.PurgeLedger.MaxMarkers + 1000).Select(i => new StackExchange.Redis.HashEntry(
                $"tag:enrich:movies:{i}",
                System.Text.Json.JsonSerializer.Serialize(new { scope = "Tag", value = $"enrich:movies:{i}", purgedAt = since.AddMilliseconds(i) }))).ToArray();
            await connection.GetDatabase().HashSetAsync(_instance + "purges", fields);
        }

        await using var proxy = await StartAsync(Settings());
        using var stats = await proxy.StatsAsync();
        var markers = System.Text.Json.JsonDocument.Parse(await stats.Content.ReadAsStringAsync()).RootElement.GetProperty("cache").GetProperty("purges").GetProperty("markers").GetInt32();

        Assert.InRange(markers, 1, (global::EnrichProxy.Caching.Purging.PurgeLedger.MaxMarkers / 2) + 1);
        await using var check = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        var left = await check.GetDatabase().HashLengthAsync(_instance + "purges");
        Assert.InRange(left, 1, (global::EnrichProxy.Caching.Purging.PurgeLedger.MaxMarkers / 2) + 1);
        Assert.True(await check.GetDatabase().HashExistsAsync(_instance + "purges", "tagprefix:enrich:movies:"));
    }

    private Dictionary<string, string> Settings() => ProxyHost.Settings(
        Destination("tmdb", _tmdb.Url),
        AdminClient.Enabled,
        ("EnrichProxy:Upstreams:tmdb:ApiKey", TmdbKey),
        ("EnrichProxy:Redis:Configuration", redis.Configuration),
        ("EnrichProxy:Redis:InstanceName", _instance));
}

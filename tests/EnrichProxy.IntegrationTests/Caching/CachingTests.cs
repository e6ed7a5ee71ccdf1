using System.Diagnostics;
using System.Net;
using EnrichProxy.IntegrationTests.Fixtures;
using EnrichProxy.IntegrationTests.Infrastructure;
using static EnrichProxy.IntegrationTests.Infrastructure.ProxyHost;

namespace EnrichProxy.IntegrationTests.Caching;

public sealed class CachingTests : IDisposable
{
    private const string ProxyKey = "proxy-tmdb-key-0123456789";
    private readonly FakeUpstream _tmdb = new();

    [Fact]
    public async Task Get_FirstIsAMissThenAHit()
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie());
        await using var proxy = await StartAsync(TmdbSettings());

        using var first = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        using var second = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("MISS", first.XCache());
        Assert.Equal(0, first.AgeSeconds());
        Assert.Equal("HIT", second.XCache());
        Assert.NotNull(second.AgeSeconds());
        Assert.Equal(await first.BodyAsync(), await second.BodyAsync());
        Assert.Equal("application/json", second.Content.Headers.ContentType?.MediaType);
        Assert.Single(_tmdb.Received(Tmdb.MoviePath));
    }

    [Fact]
    public async Task Head_IsAnsweredFromTheGetEntryWithoutABody()
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie());
        await using var proxy = await StartAsync(TmdbSettings());

        using var get = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        using var head = await proxy.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, Tmdb.ProxyMoviePath));

        Assert.Equal("HIT", head.XCache());
        Assert.Equal(get.Content.Headers.ContentLength, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.All(_tmdb.Received(Tmdb.MoviePath), entry => Assert.Equal("GET", entry.RequestMessage.Method));
    }

    [Fact]
    public async Task ConcurrentMisses_MakeOneUpstreamRequestAndEveryWaiterGetsTheAnswer()
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie(), delay: TimeSpan.FromMilliseconds(500));
        await using var proxy = await StartAsync(TmdbSettings());

        var responses = await Task.WhenAll(Enumerable.Range(0, 150).Select(_ => proxy.Client.GetAsync(Tmdb.ProxyMoviePath)));

        Assert.Single(_tmdb.Received(Tmdb.MoviePath));
        Assert.All(responses, response =>
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("MISS", response.XCache());
        });
        var bodies = await Task.WhenAll(responses.Select(r => r.BodyAsync()));
        Assert.Single(bodies.Distinct());
        Assert.Contains("\"title\": \"The Matrix\"", bodies[0], StringComparison.Ordinal);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task QueryParametersInAnyOrder_ShareOneEntry()
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie());
        await using var proxy = await StartAsync(TmdbSettings());

        using var first = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath + "?language=en-US&append_to_response=credits");
        using var second = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath + "?append_to_response=credits&language=en-US");

        Assert.Equal("HIT", second.XCache());
        Assert.Single(_tmdb.Received(Tmdb.MoviePath));
    }

    [Fact]
    public async Task IgnoredQueryParameter_IsNotSentUpstream_SoItCannotShapeTheSharedEntry()
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie());
        await using var proxy = await StartAsync(TmdbSettings(Policy("tmdb-movie", "IgnoreQueryParameters:0", "append_to_response")));

        using var poisoned = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath + "?append_to_response=EVIL&language=en");
        using var clean = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath + "?language=en");

        Assert.Equal("MISS", poisoned.XCache());
        Assert.Equal("HIT", clean.XCache());
        var sent = Assert.Single(_tmdb.Received(Tmdb.MoviePath));
        Assert.DoesNotContain("append_to_response", sent.RequestMessage.Url, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("EVIL", sent.RequestMessage.Url, StringComparison.Ordinal);
        Assert.Contains("language=en", sent.RequestMessage.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RepeatedQueryParameters_InAnotherOrder_AreAnotherQuestion()
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie());
        await using var proxy = await StartAsync(TmdbSettings());

        using var frenchFirst = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath + "?language=fr&language=en");
        using var englishFirst = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath + "?language=en&language=fr");
        using var frenchFirstAgain = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath + "?language=fr&language=en");

        Assert.Equal("MISS", englishFirst.XCache());
        Assert.Equal("HIT", frenchFirstAgain.XCache());
        var urls = _tmdb.Received(Tmdb.MoviePath).Select(entry => entry.RequestMessage.Url).ToList();
        Assert.Equal(2, urls.Count);
        Assert.Contains(urls, url => url.Contains("?language=fr&language=en", StringComparison.Ordinal));
        Assert.Contains(urls, url => url.Contains("?language=en&language=fr", StringComparison.Ordinal));
    }

    [Fact]
    public async Task VaryByHeader_KeepsOneEntryPerHeaderValue()
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie());
        await using var proxy = await StartAsync(TmdbSettings(Policy("tmdb-movie", "VaryByHeaders:0", "Accept-Language")));

        await SendAsync(proxy, "en");
        using var french = await SendAsync(proxy, "fr");
        using var frenchAgain = await SendAsync(proxy, "fr");

        Assert.Equal("MISS", french.XCache());
        Assert.Equal("HIT", frenchAgain.XCache());
        Assert.Equal(2, _tmdb.Received(Tmdb.MoviePath).Count);
        Assert.Contains(_tmdb.Received(Tmdb.MoviePath), e => e.RequestMessage.Headers!["Accept-Language"].Contains("fr"));

        static async Task<HttpResponseMessage> SendAsync(ProxyHost proxy, string language)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, Tmdb.ProxyMoviePath);
            request.Headers.Add("Accept-Language", language);
            return await proxy.Client.SendAsync(request);
        }
    }

    [Fact]
    public async Task NotFound_IsCachedForTheNegativeTtl()
    {
        _tmdb.Json("/3/movie/999999", Tmdb.NotFound, status: 404);
        await using var proxy = await StartAsync(TmdbSettings());

        using var first = await proxy.Client.GetAsync("/tmdb/3/movie/999999");
        using var second = await proxy.Client.GetAsync("/tmdb/3/movie/999999");

        Assert.Equal(HttpStatusCode.NotFound, first.StatusCode);
        Assert.Equal("MISS", first.XCache());
        Assert.Equal(HttpStatusCode.NotFound, second.StatusCode);
        Assert.Equal("HIT", second.XCache());
        Assert.Equal(Tmdb.NotFound, await second.BodyAsync());
        Assert.Single(_tmdb.Received("/3/movie/999999"));
    }

    [Fact]
    public async Task NotFound_WithoutNegativeTtl_IsNotCached()
    {
        _tmdb.Json("/3/movie/999999", Tmdb.NotFound, status: 404);
        await using var proxy = await StartAsync(TmdbSettings(Policy("tmdb-movie", "NegativeTtl", TimeSpan.Zero)));

        await proxy.Client.GetAsync("/tmdb/3/movie/999999");
        using var second = await proxy.Client.GetAsync("/tmdb/3/movie/999999");

        Assert.Equal(HttpStatusCode.NotFound, second.StatusCode);
        Assert.Equal("MISS", second.XCache());
        Assert.Equal(2, _tmdb.Received("/3/movie/999999").Count);
    }

    [Fact]
    public async Task Post_IsNeverCached()
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie());
        await using var proxy = await StartAsync(TmdbSettings());

        using var first = await proxy.Client.PostAsync(Tmdb.ProxyMoviePath, new StringContent("{}"));
        using var second = await proxy.Client.PostAsync(Tmdb.ProxyMoviePath, new StringContent("{}"));
        using var get = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);

        Assert.Equal("BYPASS", first.XCache());
        Assert.Equal("BYPASS", second.XCache());
        Assert.Equal("MISS", get.XCache());
        Assert.Equal(3, _tmdb.Received(Tmdb.MoviePath).Count);
        Assert.Equal(2, _tmdb.Received(Tmdb.MoviePath).Count(e => e.RequestMessage.Method == "POST"));
    }

    [Fact]
    public async Task RouteWithoutPolicy_IsForwardedWithoutCacheHeaders()
    {
        _tmdb.Json("/3/account/42", "{}");
        await using var proxy = await StartAsync(TmdbSettings());

        using var first = await proxy.Client.GetAsync("/tmdb/3/account/42?session_id=abc");
        await proxy.Client.GetAsync("/tmdb/3/account/42?session_id=abc");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.False(first.Headers.Contains("X-Cache"));
        Assert.Equal(2, _tmdb.Received("/3/account/42").Count);
    }

    [Fact]
    public async Task AnswerWithSetCookie_IsNeverShared()
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie(), headers: ("Set-Cookie", "session=for-one-client"));
        await using var proxy = await StartAsync(TmdbSettings());

        using var first = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        using var second = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);

        Assert.Equal("BYPASS", first.XCache());
        Assert.Equal("BYPASS", second.XCache());
        Assert.Equal(2, _tmdb.Received(Tmdb.MoviePath).Count);
    }

    [Fact]
    public async Task OriginNoStore_IsNotCachedUnlessThePolicyOverridesIt()
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie(), headers: ("Cache-Control", "no-store"));
        await using (var proxy = await StartAsync(TmdbSettings()))
        {
            await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
            using var second = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
            Assert.Equal("BYPASS", second.XCache());
        }

        await using (var proxy = await StartAsync(TmdbSettings(Policy("tmdb-movie", "OverrideOriginCacheControl", "true"))))
        {
            await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
            using var second = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
            Assert.Equal("HIT", second.XCache());
        }
    }

    [Fact]
    public async Task BodyLargerThanMaxCacheableBytes_StreamsThroughUncached()
    {
        var large = "[" + string.Join(',', Enumerable.Repeat("\"0123456789abcdef\"", 10_000)) + "]";
        _tmdb.Json(Tmdb.MoviePath, large);
        await using var proxy = await StartAsync(TmdbSettings(Policy("tmdb-movie", "MaxCacheableBytes", "4096")));

        using var first = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        using var second = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("BYPASS", first.XCache());
        Assert.Equal("BYPASS", second.XCache());
        Assert.Equal(large, await first.BodyAsync());
        Assert.Equal(large, await second.BodyAsync());
        // The first request learnt that the key is too large; the second goes straight through.
        Assert.Equal(3, _tmdb.Received(Tmdb.MoviePath).Count);
    }

    [Fact]
    public async Task UpgradeRequest_IsForwardedNotCached()
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie());
        await using var proxy = await StartAsync(TmdbSettings());
        using var socket = new System.Net.Sockets.TcpClient();
        await socket.ConnectAsync(proxy.Client.BaseAddress!.Host, proxy.Client.BaseAddress.Port);
        var stream = socket.GetStream();

        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(
            "GET /tmdb/3/movie/603 HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n" +
            "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"));
        var buffer = new byte[4096];
        var read = await stream.ReadAsync(buffer);
        var head = System.Text.Encoding.ASCII.GetString(buffer, 0, read);

        Assert.Contains("X-Cache: BYPASS", head, StringComparison.OrdinalIgnoreCase);
        Assert.Single(_tmdb.Received(Tmdb.MoviePath));
    }

    [Fact]
    public async Task UpstreamError_WithNothingStale_GivesTheClientTheUpstreamsAnswerThenHonoursItsPause()
    {
        _tmdb.Json(Tmdb.MoviePath, """{"status_code":11,"status_message":"Internal error"}""", status: 503, headers: ("Retry-After", "30"));
        await using var proxy = await StartAsync(TmdbSettings());

        using var response = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        using var again = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("MISS", response.XCache());
        Assert.Contains("Internal error", await response.BodyAsync(), StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(30), response.Headers.RetryAfter?.Delta);
        // The upstream asked for 30 s: the next request is not sent, and says when to come back.
        Assert.Single(_tmdb.Received(Tmdb.MoviePath));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, again.StatusCode);
        Assert.Equal("application/problem+json", again.Content.Headers.ContentType?.MediaType);
        Assert.InRange(again.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task UnreachableUpstream_WithNothingStale_GivesA502Problem()
    {
        var closedPort = RedisServer.FreePort();
        await using var proxy = await StartAsync(Settings(Destination("tmdb", $"http://127.0.0.1:{closedPort}")));

        using var response = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("MISS", response.XCache());
        Assert.Contains("could not be reached", await response.BodyAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SlowUpstream_WithNothingStale_GivesA504ProblemAtTheHardTimeout()
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie(), delay: TimeSpan.FromSeconds(5));
        await using var proxy = await StartAsync(TmdbSettings(
            Policy("tmdb-movie", "SoftTimeout", TimeSpan.FromMilliseconds(100)),
            Policy("tmdb-movie", "HardTimeout", TimeSpan.FromMilliseconds(300))));

        using var response = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task ClusterActivityTimeout_EndsTheFetchWithA504()
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie(), delay: TimeSpan.FromSeconds(5));
        await using var proxy = await StartAsync(TmdbSettings(("ReverseProxy:Clusters:tmdb:HttpRequest:ActivityTimeout", "00:00:00.300")));

        using var response = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.True(proxy.Logs.Contains("UpstreamTimeout"));
    }

    [Fact]
    public async Task StaleIfError_AnswersStaleWhileTheUpstreamReturns5xx()
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie());
        await using var proxy = await StartAsync(ShortLivedSettings());
        using var fresh = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);

        await Task.Delay(TimeSpan.FromSeconds(1.5)); // past the 1 s TTL (FusionCache keeps its own clock)
        _tmdb.Server.Reset();
        _tmdb.Json(Tmdb.MoviePath, "{}", status: 500);
        using var stale = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        using var staleAgain = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);

        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.Equal("STALE", stale.XCache());
        Assert.Equal(await fresh.BodyAsync(), await stale.BodyAsync());
        Assert.True(stale.AgeSeconds() >= 1);
        Assert.Equal("STALE", staleAgain.XCache());
        // Fail-safe throttling: after one failure the upstream is left alone for a while.
        Assert.Single(_tmdb.Received(Tmdb.MoviePath));
    }

    [Fact]
    public async Task StaleIfError_AnswersStaleWhileTheUpstreamRefusesConnections()
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie());
        await using var proxy = await StartAsync(ShortLivedSettings());
        using var fresh = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);

        await Task.Delay(TimeSpan.FromSeconds(1.5));
        _tmdb.Server.Stop();
        using var stale = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);

        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.Equal("STALE", stale.XCache());
        Assert.Equal(await fresh.BodyAsync(), await stale.BodyAsync());
        Assert.True(proxy.Logs.Contains("UpstreamAttemptFailed"));
    }

    [Fact]
    public async Task SoftTimeout_AnswersStaleQuicklyAndTheFetchRefreshesTheEntryInTheBackground()
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie("Version 1"));
        await using var proxy = await StartAsync(ShortLivedSettings(Policy("tmdb-movie", "SoftTimeout", TimeSpan.FromMilliseconds(200))));
        await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);

        await Task.Delay(TimeSpan.FromSeconds(1.5));
        _tmdb.Server.Reset();
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie("Version 2"), delay: TimeSpan.FromSeconds(4));
        var clock = Stopwatch.StartNew();
        using var stale = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        clock.Stop();

        Assert.Equal("STALE", stale.XCache());
        Assert.Contains("Version 1", await stale.BodyAsync(), StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3.5), $"answered after {clock.Elapsed}, the upstream takes 4 s");

        // The fetch completes in the background and the entry carries the new answer.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        string body;
        do
        {
            await Task.Delay(250);
            using var later = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
            body = await later.BodyAsync();
        }
        while (!body.Contains("Version 2", StringComparison.Ordinal) && DateTime.UtcNow < deadline);

        Assert.Contains("Version 2", body, StringComparison.Ordinal);
        Assert.Single(_tmdb.Received(Tmdb.MoviePath));
    }

    [Fact]
    public async Task Restart_KeepsTheCacheInTheEmbeddedDiskL2()
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie());
        var contentRoot = Directory.CreateTempSubdirectory("enrichproxy-restart-").FullName;
        try
        {
            await using (var first = await StartAsync(TmdbSettings(), contentRoot: contentRoot))
            {
                using var miss = await first.Client.GetAsync(Tmdb.ProxyMoviePath);
                Assert.Equal("MISS", miss.XCache());
            }

            Assert.True(File.Exists(Path.Combine(contentRoot, "cache", "cache.db")));
            _tmdb.Server.Stop();
            await using var second = await StartAsync(TmdbSettings(), contentRoot: contentRoot);
            using var hit = await second.Client.GetAsync(Tmdb.ProxyMoviePath);

            Assert.Equal(HttpStatusCode.OK, hit.StatusCode);
            Assert.Equal("HIT", hit.XCache());
            Assert.Contains("The Matrix", await hit.BodyAsync(), StringComparison.Ordinal);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(contentRoot, recursive: true);
        }
    }

    [Fact]
    public async Task Restart_KeepsTheStaleFallbackInTheEmbeddedDiskL2()
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie());
        var contentRoot = Directory.CreateTempSubdirectory("enrichproxy-restart-").FullName;
        try
        {
            await using (var first = await StartAsync(ShortLivedSettings(), contentRoot: contentRoot))
            {
                await first.Client.GetAsync(Tmdb.ProxyMoviePath);
            }

            await Task.Delay(TimeSpan.FromSeconds(1.5));
            _tmdb.Server.Stop();
            await using var second = await StartAsync(ShortLivedSettings(), contentRoot: contentRoot);
            using var stale = await second.Client.GetAsync(Tmdb.ProxyMoviePath);

            Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
            Assert.Equal("STALE", stale.XCache());
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(contentRoot, recursive: true);
        }
    }

    public void Dispose() => _tmdb.Dispose();

    // Retries are left to the resilience tests: here one upstream answer is one upstream request.
    private Dictionary<string, string> TmdbSettings(params (string Key, string Value)[] extra) =>
        Settings([Destination("tmdb", _tmdb.Url), ("EnrichProxy:Upstreams:tmdb:ApiKey", ProxyKey), ("EnrichProxy:Upstreams:tmdb:Retry:MaxRetries", "0"), .. extra]);

    /// <summary>A 1 s TTL with an hour of stale-if-error and no stale-while-revalidate.</summary>
    private Dictionary<string, string> ShortLivedSettings(params (string Key, string Value)[] extra) =>
        TmdbSettings([
            Policy("tmdb-movie", "Ttl", TimeSpan.FromSeconds(1)),
            Policy("tmdb-movie", "StaleWhileRevalidate", TimeSpan.Zero),
            Policy("tmdb-movie", "StaleIfError", TimeSpan.FromHours(1)),
            .. extra]);
}

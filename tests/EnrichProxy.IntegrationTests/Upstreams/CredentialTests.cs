using System.Net;
using EnrichProxy.IntegrationTests.Fixtures;
using EnrichProxy.IntegrationTests.Infrastructure;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using static EnrichProxy.IntegrationTests.Infrastructure.ProxyHost;

namespace EnrichProxy.IntegrationTests.Upstreams;

public sealed class CredentialTests : IDisposable
{
    private const string TmdbKey = "tmdb-proxy-secret-5f1c2e";
    private const string RadarrKey = "radarr-instance-secret-91ab";
    private readonly FakeUpstream _tmdb = new();
    private readonly FakeUpstream _radarr = new();

    [Fact]
    public async Task MetadataApi_TheProxyKeyReplacesEveryClientKeyAndClientsShareTheCache()
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie());
        await using var proxy = await StartAsync(TmdbSettings());

        using var first = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath + "?api_key=client-one&language=en");
        using var request = new HttpRequestMessage(HttpMethod.Get, Tmdb.ProxyMoviePath + "?language=en");
        request.Headers.Authorization = new("Bearer", "client-two-token");
        using var second = await proxy.Client.SendAsync(request);

        Assert.Equal("MISS", first.XCache());
        Assert.Equal("HIT", second.XCache());
        var received = Assert.Single(_tmdb.Received(Tmdb.MoviePath));
        Assert.Equal(TmdbKey, received.RequestMessage.Query!["api_key"].Single());
        Assert.Equal("en", received.RequestMessage.Query!["language"].Single());
        Assert.False(received.RequestMessage.Headers!.ContainsKey("Authorization"));
    }

    [Fact]
    public async Task TmdbV4_KeepsTheClientsBearerToken_EvenWithAProxyKey()
    {
        // Radarr's TMDb lists: v4, with its own or the user's token, which the proxy's v3 key cannot stand in for.
        _tmdb.Json("/4/list/1", """{"id":1,"results":[]}""");
        await using var proxy = await StartAsync(TmdbSettings());

        using var request = new HttpRequestMessage(HttpMethod.Get, "/tmdb/4/list/1?page=1");
        request.Headers.Authorization = new("Bearer", "radarrs-own-token");
        using var answer = await proxy.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var received = Assert.Single(_tmdb.Received("/4/list/1"));
        Assert.Equal("Bearer radarrs-own-token", received.RequestMessage.Headers!["Authorization"].Single());
        Assert.False(received.RequestMessage.Query!.ContainsKey("api_key"));
    }

    [Fact]
    public async Task MetadataApi_WithoutAProxyKey_EachClientKeyHasItsOwnPartition()
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie());
        await using var proxy = await StartAsync(Settings(Destination("tmdb", _tmdb.Url)));

        using var one = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath + "?api_key=client-one");
        using var oneAgain = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath + "?api_key=client-one");
        using var two = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath + "?api_key=client-two");

        Assert.Equal("HIT", oneAgain.XCache());
        Assert.Equal("MISS", two.XCache());
        Assert.Equal(["client-one", "client-two"], _tmdb.Received(Tmdb.MoviePath).Select(e => e.RequestMessage.Query!["api_key"].Single()));
    }

    [Fact]
    public async Task ARememberedSharedAnswer_IsNeverGivenToARequestWithCredentials()
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie());
        await using var proxy = await StartAsync(Settings(Destination("tmdb", _tmdb.Url)));
        await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        using var hit = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);

        using var request = new HttpRequestMessage(HttpMethod.Get, Tmdb.ProxyMoviePath);
        request.Headers.Authorization = new("Bearer", "someone-elses-token");
        using var withCredentials = await proxy.Client.SendAsync(request);

        Assert.Equal("HIT", hit.XCache());
        Assert.Equal("MISS", withCredentials.XCache());
        Assert.Equal("Bearer someone-elses-token", _tmdb.Received(Tmdb.MoviePath)[1].RequestMessage.Headers!["Authorization"].Single());
    }

    [Fact]
    public async Task Arr_AWrongKeyNeverGetsACachedAnswer()
    {
        ArrRequiresItsKey();
        await using var proxy = await StartAsync(RadarrSettings());

        using var miss = await Radarr(proxy, RadarrKey);
        using var hit = await Radarr(proxy, RadarrKey);
        using var wrong = await Radarr(proxy, "not-the-key");
        using var none = await Radarr(proxy, key: null);

        Assert.Equal("MISS", miss.XCache());
        Assert.Equal("HIT", hit.XCache());
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal("application/problem+json", wrong.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("Beast", await wrong.BodyAsync(), StringComparison.Ordinal);
        Assert.Equal("BYPASS", wrong.XCache());
        // Without a key the request goes to Radarr untouched, and Radarr refuses it.
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal("BYPASS", none.XCache());
        Assert.DoesNotContain("Beast", await none.BodyAsync(), StringComparison.Ordinal);
        Assert.Equal(2, _radarr.Received("/api/v3/movie").Count);
    }

    [Fact]
    public async Task Arr_TheProxyInboundKeyIsAcceptedAndTheInstanceKeyIsSentUpstream()
    {
        ArrRequiresItsKey();
        const string inbound = "proxy-inbound-key-0123456789";
        await using var proxy = await StartAsync(RadarrSettings(("EnrichProxy:InboundApiKey", inbound)));

        using var response = await Radarr(proxy, inbound);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(RadarrKey, Assert.Single(_radarr.Received("/api/v3/movie")).RequestMessage.Headers!["X-Api-Key"].Single());
    }

    [Fact]
    public async Task Arr_PathsAreCaseInsensitive_InKeysAndPurges()
    {
        ArrRequiresItsKey();
        await using var proxy = await StartAsync(RadarrSettings(AdminClient.Enabled));

        using var lower = await Radarr(proxy, RadarrKey);
        using var upper = await proxy.GetWithApiKeyAsync("/radarr/api/v3/Movie?tmdbId=760741", RadarrKey);
        using var purge = await proxy.PurgeAsync(new { url = "/radarr/api/v3/MOVIE?tmdbId=760741" });
        using var afterPurge = await proxy.GetWithApiKeyAsync("/radarr/api/v3/movie?tmdbId=760741", RadarrKey);

        Assert.Equal("MISS", lower.XCache());
        Assert.Equal("HIT", upper.XCache()); // Radarr answers both the same: one entry.
        Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
        Assert.Equal("MISS", afterPurge.XCache());
        Assert.Equal(2, _radarr.Received("/api/v3/movie").Count);
    }

    [Fact]
    public async Task Arr_OriginNoStoreIsOverriddenByThePolicy()
    {
        ArrRequiresItsKey();
        await using var proxy = await StartAsync(RadarrSettings());

        await Radarr(proxy, RadarrKey);
        using var second = await Radarr(proxy, RadarrKey, query: "?tmdbId=760741&apikey=" + RadarrKey);

        Assert.Equal("HIT", second.XCache());
    }

    [Fact]
    public async Task BearerKeys_AreSentAsAuthorization()
    {
        using var tvdb = new FakeUpstream();
        tvdb.Json("/v4/series/121361", """{"status":"success","data":{"id":121361,"name":"Game of Thrones"}}""");
        await using var proxy = await StartAsync(Settings(
            Destination("tvdb", tvdb.Url), ("EnrichProxy:Upstreams:tvdb:ApiKey", "tvdb-bearer-token-1234"), ("EnrichProxy:Upstreams:tvdb:ApiKeyLocation", "Bearer")));

        using var response = await proxy.Client.GetAsync("/tvdb/v4/series/121361");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(tvdb.Received("/v4/series/121361"));
        Assert.Equal("Bearer tvdb-bearer-token-1234", received.RequestMessage.Headers!["Authorization"].Single());
    }

    [Fact]
    public async Task MusicBrainz_GetsTheConfiguredUserAgent()
    {
        using var musicbrainz = new FakeUpstream();
        musicbrainz.Json("/ws/2/artist/b8a7c51f-362c-4dcb-a259-bc6e0095f0a6", """{"id":"b8a7c51f-362c-4dcb-a259-bc6e0095f0a6","name":"Ed Sheeran"}""");
        await using var proxy = await StartAsync(Settings(Destination("musicbrainz", musicbrainz.Url)));

        using var request = new HttpRequestMessage(HttpMethod.Get, "/musicbrainz/ws/2/artist/b8a7c51f-362c-4dcb-a259-bc6e0095f0a6?fmt=json");
        request.Headers.UserAgent.ParseAdd("curl/8.0");
        using var response = await proxy.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var userAgent = Assert.Single(musicbrainz.Received("/ws/2/artist/b8a7c51f-362c-4dcb-a259-bc6e0095f0a6")).RequestMessage.Headers!["User-Agent"].Single();
        Assert.StartsWith("EnrichProxy/", userAgent, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "/tmdb/3/account/1", "/3/account/1")]
    [InlineData("GET", "/tmdb/3/authentication/token/new", "/3/authentication/token/new")]
    [InlineData("POST", "/tmdb/3/list/1/add_item", "/3/list/1/add_item")]
    [InlineData("DELETE", "/tmdb/3/movie/603/rating", "/3/movie/603/rating")]
    [InlineData("GET", "/tmdb/4/list/1", "/4/list/1")]
    public async Task TheProxysKey_NeverGoesOnAWriteOrAnAccountEndpoint_TheClientsOwnDoes(string method, string path, string upstreamPath)
    {
        _tmdb.Json(upstreamPath, "{}");
        await using var proxy = await StartAsync(Settings(Destination("tmdb", _tmdb.Url), ("EnrichProxy:Upstreams:tmdb:ApiKey", TmdbKey)));

        using var anonymous = new HttpRequestMessage(new HttpMethod(method), path);
        using var withOwnKey = new HttpRequestMessage(new HttpMethod(method), path + "?api_key=client-own-key");
        using var first = await proxy.Client.SendAsync(anonymous);
        using var second = await proxy.Client.SendAsync(withOwnKey);

        var sent = _tmdb.Received(upstreamPath);
        Assert.Equal(2, sent.Count);
        Assert.All(sent, entry => Assert.DoesNotContain(TmdbKey, entry.RequestMessage.Url, StringComparison.Ordinal));
        Assert.Contains("api_key=client-own-key", sent[1].RequestMessage.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheProxysKey_GoesOnReadsOfListedPaths_AndOfCachedRoutes()
    {
        _tmdb.Json("/3/company/1", "{}");
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie());
        await using var proxy = await StartAsync(Settings(Destination("tmdb", _tmdb.Url), ("EnrichProxy:Upstreams:tmdb:ApiKey", TmdbKey)));

        using var company = await proxy.Client.GetAsync("/tmdb/3/company/1?api_key=client-own-key"); // Under KeyPaths (/tmdb/3/), not cached.
        using var movie = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath); // A cached route.

        Assert.Contains($"api_key={TmdbKey}", Assert.Single(_tmdb.Received("/3/company/1")).RequestMessage.Url, StringComparison.Ordinal);
        Assert.DoesNotContain("client-own-key", Assert.Single(_tmdb.Received("/3/company/1")).RequestMessage.Url, StringComparison.Ordinal);
        Assert.Contains($"api_key={TmdbKey}", Assert.Single(_tmdb.Received(Tmdb.MoviePath)).RequestMessage.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MetadataApi_NeverReceivesAClientsAddress_NotEvenOneTheClientSent()
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie());
        _tmdb.Json("/3/account/1", "{}");
        await using var proxy = await StartAsync(Settings(Destination("tmdb", _tmdb.Url), ("EnrichProxy:Upstreams:tmdb:ApiKey", TmdbKey)));

        // A cached read (a fill) and a forwarded one.
        foreach (var path in new[] { Tmdb.ProxyMoviePath, "/tmdb/3/account/1" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Add("X-Forwarded-For", "203.0.113.9");
            request.Headers.Add("X-Real-IP", "203.0.113.9");
            request.Headers.Add("Forwarded", "for=203.0.113.9;host=client.example");
            request.Headers.Add("X-Forwarded-Host", "client.example");
            using var response = await proxy.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(2, _tmdb.Server.LogEntries.Count);
        foreach (var entry in _tmdb.Server.LogEntries)
        {
            var headers = string.Join("\n", entry.RequestMessage.Headers!.Select(h => $"{h.Key}: {string.Join(",", h.Value)}"));
            Assert.DoesNotContain("203.0.113.9", headers, StringComparison.Ordinal);
            Assert.DoesNotContain("client.example", headers, StringComparison.Ordinal);
            Assert.DoesNotContain("Forwarded", headers, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task Keys_NeverAppearInAnyOutputTheTestCanRead()
    {
        // The upstream echoes its request URL, key included, in an error body and a redirect.
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie());
        _tmdb.Json("/3/movie/500", $$"""{"status_message":"failed /3/movie/500?api_key={{TmdbKey}}"}""", status: 500);
        _tmdb.Json("/3/movie/302", "{}", status: 302, headers: ("Location", $"/3/movie/603?api_key={TmdbKey}"));
        _tmdb.Json("/3/movie/401", Tmdb.InvalidKey, status: 401);
        _tmdb.Json("/3/account/500", $$"""{"status_message":"failed /3/account/500?api_key={{TmdbKey}}"}""", status: 500);
        ArrRequiresItsKey();
        await using var proxy = await StartAsync(Settings(
            Destination("tmdb", _tmdb.Url),
            ("EnrichProxy:Upstreams:tmdb:ApiKey", TmdbKey),
            Destination("radarr", _radarr.Url),
            ("EnrichProxy:Upstreams:radarr:ApiKey", RadarrKey),
            // As an operator debugging would: every category at its most verbose.
            ("Logging:LogLevel:Default", "Trace"),
            ("Logging:LogLevel:Microsoft.AspNetCore", "Trace"),
            ("Logging:LogLevel:Yarp", "Trace"),
            ("Logging:LogLevel:ZiggyCreatures.Caching.Fusion", "Trace")));
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = proxy.Client.BaseAddress };

        var outputs = new List<string>();
        foreach (var path in new[] { Tmdb.ProxyMoviePath, Tmdb.ProxyMoviePath, "/tmdb/3/movie/500", "/tmdb/3/movie/302", "/tmdb/3/movie/401", "/tmdb/3/account/1", "/tmdb/3/account/500" })
        {
            using var response = await client.GetAsync(path + "?api_key=client-key");
            outputs.Add(response.ToString() + response.TrailingHeaders + await response.BodyAsync());
        }

        // Forwarded, not cached: the answers are redacted on their way through too.
        using (var post = await client.PostAsync("/tmdb/3/movie/500", new StringContent("{}")))
        {
            outputs.Add(post.ToString() + await post.BodyAsync());
        }

        using (var redirect = await client.PostAsync("/tmdb/3/movie/302", new StringContent("{}")))
        {
            outputs.Add(redirect.ToString() + await redirect.BodyAsync());
        }

        foreach (var key in new[] { RadarrKey, "wrong-key" })
        {
            using var response = await Radarr(proxy, key);
            outputs.Add(response.ToString() + await response.BodyAsync());
        }

        using (var metrics = await client.GetAsync("/metrics"))
        {
            outputs.Add(await metrics.BodyAsync());
        }

        outputs.Add(proxy.Logs.AllText);
        var diskCache = Path.Combine(proxy.ContentRoot, "cache");
        outputs.AddRange(Directory.GetFiles(diskCache).Select(file => System.Text.Encoding.UTF8.GetString(ReadShared(file))));

        // The keys did reach the upstreams, so the scan below looks at real traffic.
        Assert.Contains(_tmdb.Server.LogEntries, e => e.RequestMessage.Query!.TryGetValue("api_key", out var k) && k.Contains(TmdbKey));
        Assert.Contains(_radarr.Server.LogEntries, e => e.RequestMessage.Headers!.TryGetValue("X-Api-Key", out var k) && k.Contains(RadarrKey));
        Assert.True(outputs.Count(o => o.Contains("[REDACTED]", StringComparison.Ordinal)) >= 5, string.Join("\n----\n", outputs.Take(9)));
        Assert.Contains(proxy.Logs.Lines, line => line.StartsWith("Trace", StringComparison.Ordinal));
        foreach (var output in outputs)
        {
            Assert.DoesNotContain(TmdbKey, output, StringComparison.Ordinal);
            Assert.DoesNotContain(RadarrKey, output, StringComparison.Ordinal);
        }

        client.Dispose();
    }

    public void Dispose()
    {
        _tmdb.Dispose();
        _radarr.Dispose();
    }

    private static byte[] ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static async Task<HttpResponseMessage> Radarr(ProxyHost proxy, string? key, string query = "?tmdbId=760741")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/radarr/api/v3/movie" + query);
        if (key is not null && !query.Contains("apikey", StringComparison.Ordinal))
        {
            request.Headers.Add("X-Api-Key", key);
        }

        return await proxy.Client.SendAsync(request);
    }

    private void ArrRequiresItsKey()
    {
        _radarr.Server
            .Given(Request.Create().WithPath("/api/v3/movie").WithHeader("X-Api-Key", RadarrKey))
            .AtPriority(1)
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithHeader("Cache-Control", "no-cache, no-store")
                .WithBody("""[{"title":"Beast","tmdbId":760741,"hasFile":true,"monitored":true}]"""));
        _radarr.Server
            .Given(Request.Create().WithPath("/api/v3/movie"))
            .AtPriority(2)
            .RespondWith(Response.Create().WithStatusCode(401));
    }

    private Dictionary<string, string> TmdbSettings() =>
        Settings(Destination("tmdb", _tmdb.Url), ("EnrichProxy:Upstreams:tmdb:ApiKey", TmdbKey));

    private Dictionary<string, string> RadarrSettings(params (string Key, string Value)[] extra) =>
        Settings([Destination("radarr", _radarr.Url), ("EnrichProxy:Upstreams:radarr:ApiKey", RadarrKey), .. extra]);
}

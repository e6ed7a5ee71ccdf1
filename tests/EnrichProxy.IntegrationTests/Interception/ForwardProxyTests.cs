using System.Net;
using System.Security.Cryptography.X509Certificates;
using EnrichProxy.IntegrationTests.Fixtures;
using EnrichProxy.IntegrationTests.Infrastructure;
using static EnrichProxy.IntegrationTests.Fixtures.MetadataServers;
using static EnrichProxy.IntegrationTests.Infrastructure.ProxyHost;

namespace EnrichProxy.IntegrationTests.Interception;

/// <summary>Radarr and Sonarr through their proxy setting: intercepted metadata hosts answered from the cache, everything else tunnelled untouched.</summary>
public sealed class ForwardProxyTests : IDisposable
{
    private readonly FakeUpstream _radarr = new();
    private readonly FakeUpstream _sonarr = new();

    [Fact]
    public async Task RadarrsMovieLookup_ThroughTheProxy_IsAMissThenAHit_WithOneUpstreamRequest()
    {
        _radarr.Json(RadarrMoviePath(603), Movie(603));
        await using var proxy = await StartAsync(Settings([.. Destinations(), .. InterceptingProxy.Enabled()]));
        using var ca = await proxy.CaAsync();
        using var radarr = proxy.RadarrLikeClient(ca);

        using var miss = await radarr.GetAsync(RadarrMovieUrl(603));
        using var hit = await radarr.GetAsync(RadarrMovieUrl(603));

        Assert.Equal(HttpStatusCode.OK, miss.StatusCode);
        Assert.Equal("MISS", miss.XCache());
        Assert.Equal("HIT", hit.XCache());
        Assert.Contains("\"TmdbId\":603", await hit.BodyAsync(), StringComparison.Ordinal);
        Assert.Single(_radarr.Received(RadarrMoviePath(603)));

        // The same entry answers the prefix route on the main port: one cache, whichever way a client comes.
        using var prefix = await proxy.Client.GetAsync("/radarr-metadata/movie/603");
        Assert.Equal("HIT", prefix.XCache());
        Assert.Single(_radarr.Received(RadarrMoviePath(603)));
    }

    [Fact]
    public async Task SonarrsShowLookup_ThroughTheProxy_IsAMissThenAHit()
    {
        _sonarr.Json(SonarrShowPath(75978), Show(75978));
        await using var proxy = await StartAsync(Settings([.. Destinations(), .. InterceptingProxy.Enabled(frontDoor: false)]));
        using var ca = await proxy.CaAsync();
        using var sonarr = proxy.RadarrLikeClient(ca);

        using var miss = await sonarr.GetAsync(SonarrShowUrl(75978));
        using var hit = await sonarr.GetAsync(SonarrShowUrl(75978));

        Assert.Equal("MISS", miss.XCache());
        Assert.Equal("HIT", hit.XCache());
        Assert.Contains("The New Housekeeper", await hit.BodyAsync(), StringComparison.Ordinal);
        Assert.Single(_sonarr.Received(SonarrShowPath(75978)));
    }

    [Fact]
    public async Task ACertificateTheProxyPresents_IsForTheHostAsked_AndChainsToTheExportedCa()
    {
        _radarr.Json(RadarrMoviePath(603), Movie(603));
        await using var proxy = await StartAsync(Settings([.. Destinations(), .. InterceptingProxy.Enabled(frontDoor: false)]));
        using var ca = await proxy.CaAsync();
        X509Certificate2? seen = null;
        using var client = new HttpClient(new SocketsHttpHandler
        {
            Proxy = new WebProxy(new Uri($"http://127.0.0.1:{proxy.ForwardProxyPort()}")) { Credentials = new NetworkCredential(InterceptingProxy.User, InterceptingProxy.Password) },
            SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => (seen = new X509Certificate2(certificate!)) is not null },
        });

        using var response = await client.GetAsync(RadarrMovieUrl(603));

        Assert.NotNull(seen);
        Assert.True(seen.MatchesHostname(RadarrHost));
        Assert.Equal(ca.Subject, seen.Issuer);
        Assert.True(seen.NotAfter - seen.NotBefore <= TimeSpan.FromDays(8), "host certificates are short-lived");
        Assert.DoesNotContain("PRIVATE KEY", await proxy.Client.GetStringAsync("/ca.crt"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACONNECTToAnyOtherHost_IsTunnelledUntouched_TheClientSeesThatHostsOwnCertificate()
    {
        await using var indexer = new LocalTlsServer();
        await using var proxy = await StartAsync(Settings(
        [
            .. InterceptingProxy.Enabled(frontDoor: false),
            ("EnrichProxy:ForwardProxy:AllowLocalDestinations", "true"),
            ("EnrichProxy:ForwardProxy:AllowedPorts:0", "443"),
            ("EnrichProxy:ForwardProxy:AllowedPorts:1", indexer.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ]));
        X509Certificate2? seen = null;
        using var client = new HttpClient(new SocketsHttpHandler
        {
            Proxy = new WebProxy(new Uri($"http://127.0.0.1:{proxy.ForwardProxyPort()}")) { Credentials = new NetworkCredential(InterceptingProxy.User, InterceptingProxy.Password) },
            SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => (seen = new X509Certificate2(certificate!)).Thumbprint == indexer.Certificate.Thumbprint },
        });

        var body = await client.GetStringAsync(new Uri($"https://localhost:{indexer.Port}/api?t=caps"));

        Assert.Equal(LocalTlsServer.Body, body);
        Assert.Equal(indexer.Certificate.Thumbprint, seen!.Thumbprint);
        var metrics = await proxy.Client.GetStringAsync("/metrics");
        Assert.Equal(1, PrometheusText.Value(metrics, "enrichproxy_forward_proxy_tunnels_total", ("kind", "tunnel")));
        Assert.True(PrometheusText.Value(metrics, "enrichproxy_forward_proxy_tunnelled_bytes_total", ("direction", "received")) > LocalTlsServer.Body.Length);
    }

    [Fact]
    public async Task WithoutCredentials_OrWithWrongOnes_TheProxyAnswers407()
    {
        await using var proxy = await StartAsync(Settings([.. Destinations(), .. InterceptingProxy.Enabled(frontDoor: false)]));

        var none = await proxy.RawAsync($"CONNECT {RadarrHost}:443 HTTP/1.1\r\nHost: {RadarrHost}:443\r\n\r\n");
        var wrong = await proxy.RawAsync($"CONNECT {RadarrHost}:443 HTTP/1.1\r\nHost: {RadarrHost}:443\r\nProxy-Authorization: Basic {InterceptingProxy.BasicCredentials(password: "guess")}\r\n\r\n");
        var plain = await proxy.RawAsync("GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 407", none, StringComparison.Ordinal);
        Assert.Contains("Proxy-Authenticate: Basic", none, StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("HTTP/1.1 407", wrong, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 407", plain, StringComparison.Ordinal);
        var metrics = await proxy.Client.GetStringAsync("/metrics");
        Assert.Equal(3, PrometheusText.Value(metrics, "enrichproxy_forward_proxy_refused_total", ("reason", "credentials")));
    }

    [Fact]
    public async Task WithoutConfiguredCredentials_OnlyLoopbackAndPrivateClientsAreServed()
    {
        _radarr.Json(RadarrMoviePath(603), Movie(603));
        await using var proxy = await StartAsync(Settings([.. Destinations(), .. InterceptingProxy.Enabled(frontDoor: false, credentials: false)]));
        using var ca = await proxy.CaAsync();
        using var radarr = proxy.RadarrLikeClient(ca, credentials: new NetworkCredential());

        using var response = await radarr.GetAsync(RadarrMovieUrl(603));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode); // The test client is on loopback.
        Assert.Contains(proxy.Logs.Lines, line => line.Contains("[ForwardProxyWithoutCredentials]", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("example.com:25")] // A port outside AllowedPorts.
    [InlineData("127.0.0.1:443")] // Loopback.
    [InlineData("169.254.169.254:443")] // Link-local: a cloud's metadata service.
    [InlineData("localhost:443")] // A name that resolves to loopback.
    public async Task ACONNECTToAForbiddenPortOrAddress_Is403(string target)
    {
        await using var proxy = await StartAsync(Settings(InterceptingProxy.Enabled(frontDoor: false)));

        var answer = await proxy.RawAsync($"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\nProxy-Authorization: Basic {InterceptingProxy.BasicCredentials()}\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 403", answer, StringComparison.Ordinal);
        Assert.Contains("application/problem+json", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMalformedOrOriginFormRequest_IsA400_AndTheProxysOwnEndpointsAreNotReachable()
    {
        await using var proxy = await StartAsync(Settings([.. InterceptingProxy.Enabled(frontDoor: false), AdminClient.Enabled]));

        var malformed = await proxy.RawAsync($"CONNECT nohost HTTP/1.1\r\nProxy-Authorization: Basic {InterceptingProxy.BasicCredentials()}\r\n\r\n");
        var originForm = await proxy.RawAsync($"GET /admin/stats HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Admin-Key: {AdminClient.Key}\r\nProxy-Authorization: Basic {InterceptingProxy.BasicCredentials()}\r\nConnection: close\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 400", malformed, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 400", originForm, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APlainHttpRequest_ForAnInterceptedHost_IsAnsweredFromTheCache_AndForAnotherHost_IsForwardedUntouched()
    {
        _radarr.Json(RadarrMoviePath(603), Movie(603));
        using var other = new FakeUpstream();
        other.Json("/feed", """{"items":[]}""");
        var otherPort = new Uri(other.Url).Port;
        await using var proxy = await StartAsync(Settings(
        [
            .. Destinations(),
            .. InterceptingProxy.Enabled(frontDoor: false),
            ("EnrichProxy:ForwardProxy:AllowLocalDestinations", "true"),
            ("EnrichProxy:ForwardProxy:AllowedPorts:0", otherPort.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ]));
        using var client = new HttpClient(new SocketsHttpHandler
        {
            Proxy = new WebProxy(new Uri($"http://127.0.0.1:{proxy.ForwardProxyPort()}")) { Credentials = new NetworkCredential(InterceptingProxy.User, InterceptingProxy.Password) },
        });

        using var first = await client.GetAsync($"http://{RadarrHost}/v1/movie/603");
        using var second = await client.GetAsync($"http://{RadarrHost}/v1/movie/603");
        using var forwarded = await client.GetAsync($"http://localhost:{otherPort}/feed");

        Assert.Equal("MISS", first.XCache());
        Assert.Equal("HIT", second.XCache());
        Assert.Equal(HttpStatusCode.OK, forwarded.StatusCode);
        Assert.Equal("""{"items":[]}""", await forwarded.BodyAsync());
        Assert.False(forwarded.Headers.Contains("X-Cache"));
        Assert.DoesNotContain(other.Received("/feed"), entry => entry.RequestMessage.Headers!.ContainsKey("Proxy-Authorization"));
    }

    [Fact]
    public async Task Telemetry_CountsRequestsAndHitsPerInterceptedHost_InMetricsAndAdminStats()
    {
        _radarr.Json(RadarrMoviePath(603), Movie(603));
        await using var proxy = await StartAsync(Settings([.. Destinations(), .. InterceptingProxy.Enabled(frontDoor: false), AdminClient.Enabled]));
        using var ca = await proxy.CaAsync();
        using var radarr = proxy.RadarrLikeClient(ca);
        for (var i = 0; i < 3; i++)
        {
            using var response = await radarr.GetAsync(RadarrMovieUrl(603));
        }

        var metrics = await proxy.Client.GetStringAsync("/metrics");
        Assert.Equal(1, PrometheusText.Value(metrics, "enrichproxy_intercepted_requests_total", ("host", RadarrHost), ("result", "miss")));
        Assert.Equal(2, PrometheusText.Value(metrics, "enrichproxy_intercepted_requests_total", ("host", RadarrHost), ("result", "hit")));
        Assert.True(PrometheusText.Value(metrics, "enrichproxy_forward_proxy_tunnels_total", ("kind", "intercepted")) >= 1);

        using var stats = await proxy.StatsAsync();
        var json = System.Text.Json.JsonDocument.Parse(await stats.BodyAsync()).RootElement.GetProperty("forwardProxy");
        Assert.True(json.GetProperty("enabled").GetBoolean());
        Assert.Equal(2, json.GetProperty("hosts").GetProperty(RadarrHost).GetProperty("hits").GetInt64());
        Assert.Equal(3, json.GetProperty("hosts").GetProperty(RadarrHost).GetProperty("requests").GetInt64());
    }

    [Fact]
    public async Task Curl_ThroughTheProxy_TrustingTheExportedCa_GetsTheCachedAnswer()
    {
        _radarr.Json(RadarrMoviePath(603), Movie(603));
        await using var proxy = await StartAsync(Settings([.. Destinations(), .. InterceptingProxy.Enabled(frontDoor: false)]));
        var caFile = Path.Combine(proxy.ContentRoot, "exported-ca.crt");
        await File.WriteAllTextAsync(caFile, await proxy.Client.GetStringAsync("/ca.crt"));
        var proxyUrl = $"http://{InterceptingProxy.User}:{InterceptingProxy.Password}@127.0.0.1:{proxy.ForwardProxyPort()}";

        var first = await Curl.RunAsync("-sS", "-i", "--proxy", proxyUrl, "--cacert", caFile, RadarrMovieUrl(603));
        var second = await Curl.RunAsync("-sS", "-i", "--proxy", proxyUrl, "--cacert", caFile, RadarrMovieUrl(603));

        Assert.Contains("x-cache: MISS", first, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("x-cache: HIT", second, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("\"TmdbId\":603", second, StringComparison.Ordinal);
        Assert.Single(_radarr.Received(RadarrMoviePath(603)));
    }

    public void Dispose()
    {
        _radarr.Dispose();
        _sonarr.Dispose();
    }

    private (string Key, string Value)[] Destinations() =>
    [
        Destination("radarr-metadata", _radarr.Url + "/v1/"),
        Destination("sonarr-metadata", _sonarr.Url + "/v1/"),
    ];
}

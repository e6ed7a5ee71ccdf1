using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using EnrichProxy.IntegrationTests.Fixtures;
using EnrichProxy.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static EnrichProxy.IntegrationTests.Infrastructure.ProxyHost;

namespace EnrichProxy.IntegrationTests.Hosting;

public sealed class HostingTests : IDisposable
{
    private readonly FakeUpstream _tmdb = new();

    [Fact]
    public async Task ListeningBeyondThisMachine_IsSaidAtStart_WithWhatIsMissing()
    {
        await using (var local = await StartAsync(Settings()))
        {
            Assert.False(local.Logs.Contains("ListeningBeyondThisMachine"));
            Assert.False(local.Logs.Contains("ExposedWithoutProtection"));
        }

        await using (var exposed = await StartAsync(Settings(("urls", "http://0.0.0.0:0"))))
        {
            Assert.True(exposed.Logs.Contains("ListeningBeyondThisMachine"), exposed.Logs.AllText);
        }

        await using var open = await StartAsync(Settings(("urls", "http://0.0.0.0:0"), ("EnrichProxy:Webhooks:AllowAnonymous", "true")));
        var warning = Assert.Single(open.Logs.Lines, line => line.Contains("[ExposedWithoutProtection]", StringComparison.Ordinal));
        Assert.Contains("Webhooks:AllowAnonymous", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_LiveAndReadyWithTheEmbeddedDiskL2()
    {
        await using var proxy = await StartAsync(Settings());

        using var live = await proxy.Client.GetAsync("/health/live");
        using var ready = await proxy.Client.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        using var report = JsonDocument.Parse(await ready.BodyAsync());
        Assert.Equal("Healthy", report.RootElement.GetProperty("status").GetString());
        var checks = report.RootElement.GetProperty("checks");
        Assert.Equal("Healthy", checks.GetProperty("l2").GetProperty("status").GetString());
        Assert.Equal("closed", checks.GetProperty("upstreams").GetProperty("data").GetProperty("tmdb").GetString());
    }

    [Fact]
    public async Task Metrics_CountHitsMissesStaleAndBypassPerRoute()
    {
        _tmdb.Server.Given(WireMock.RequestBuilders.Request.Create().WithPath(Tmdb.MoviePath).UsingGet())
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithHeader("Content-Type", "application/json").WithBody(Tmdb.Movie()));
        // As TMDb does: a POST of a movie is refused, so it changes nothing the cache holds (a successful one would purge it).
        _tmdb.Server.Given(WireMock.RequestBuilders.Request.Create().WithPath(Tmdb.MoviePath).UsingPost())
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithStatusCode(405));
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var proxy = await StartAsync(Settings(Destination("tmdb", _tmdb.Url)), time);

        await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        await proxy.Client.PostAsync(Tmdb.ProxyMoviePath, new StringContent("{}"));
        time.Advance(TimeSpan.FromHours(24.5)); // past the 24 h TTL, within the hour of stale-while-revalidate
        await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        var metrics = await proxy.ScrapeAsync("result=\"stale\",route=\"tmdb-movie\"");

        Assert.Contains("""enrichproxy_cache_requests_total{otel_scope_name="EnrichProxy",result="miss",route="tmdb-movie"} 1""", metrics, StringComparison.Ordinal);
        Assert.Contains("""enrichproxy_cache_requests_total{otel_scope_name="EnrichProxy",result="hit",route="tmdb-movie"} 2""", metrics, StringComparison.Ordinal);
        Assert.Contains("""enrichproxy_cache_requests_total{otel_scope_name="EnrichProxy",result="bypass",route="tmdb-movie"} 1""", metrics, StringComparison.Ordinal);
        Assert.Contains("""enrichproxy_cache_requests_total{otel_scope_name="EnrichProxy",result="stale",route="tmdb-movie"} 1""", metrics, StringComparison.Ordinal);
        Assert.Contains($$"""enrichproxy_build_info{otel_scope_name="EnrichProxy",version="{{EnrichProxy.Telemetry.InstanceInfo.Version}}"} 1""", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Startup_WithABrokenConfig_FailsListingEveryError()
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(Settings(
            ("ReverseProxy:Routes:tmdb-movie:Metadata:CachePolicy", "no-such-policy"),
            Policy("search", "Ttl", TimeSpan.FromMinutes(-5)),
            ("ReverseProxy:Clusters:fanart:Destinations:default:Address", "not a url"))));

        Assert.Contains("unknown policy 'no-such-policy'", failure.Message, StringComparison.Ordinal);
        Assert.Contains("EnrichProxy:Policies:search:Ttl must be greater than 0", failure.Message, StringComparison.Ordinal);
        Assert.Contains("ReverseProxy:Clusters:fanart:Destinations:default:Address must be an absolute http or https URL", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARequestThatCannotBeParsed_GetsA400()
    {
        await using var proxy = await StartAsync(Settings(Destination("tmdb", _tmdb.Url)));
        using var socket = new TcpClient();
        await socket.ConnectAsync(proxy.Client.BaseAddress!.Host, proxy.Client.BaseAddress.Port);
        var stream = socket.GetStream();

        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /tmdb/3/movie/603 HTTP/1.1\r\nHost: localhost\r\nthis is not a header\r\n\r\n"));
        var buffer = new byte[1024];
        var read = await stream.ReadAsync(buffer);

        Assert.StartsWith("HTTP/1.1 400", Encoding.ASCII.GetString(buffer, 0, read), StringComparison.Ordinal);
        Assert.Empty(_tmdb.Server.LogEntries);
    }

    [Fact]
    public async Task TheAccessLog_WhenOn_HasOneLinePerRequest_FastPathHitsIncluded_WithoutAQueryString()
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie());
        await using var off = await StartAsync(Settings(Destination("tmdb", _tmdb.Url)));
        await off.Client.GetAsync(Tmdb.ProxyMoviePath);
        await using var proxy = await StartAsync(Settings(Destination("tmdb", _tmdb.Url), ("EnrichProxy:AccessLog:Enabled", "true")));

        await proxy.Client.GetAsync(Tmdb.ProxyMoviePath + "?api_key=a-clients-secret-key");
        await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        await proxy.Client.GetAsync("/no/such/route");

        var lines = proxy.Logs.Lines.Where(line => line.Contains("[Request]", StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(off.Logs.Lines, line => line.Contains("[Request]", StringComparison.Ordinal));
        Assert.Equal(4, lines.Count);
        Assert.Contains(lines, line => line.Contains($"GET {Tmdb.ProxyMoviePath} 200 MISS tmdb-movie", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.Contains($"GET {Tmdb.ProxyMoviePath} 200 HIT", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.Contains("GET /no/such/route 404 -", StringComparison.Ordinal));
        Assert.DoesNotContain("a-clients-secret-key", proxy.Logs.AllText, StringComparison.Ordinal);
    }

    public void Dispose() => _tmdb.Dispose();
}

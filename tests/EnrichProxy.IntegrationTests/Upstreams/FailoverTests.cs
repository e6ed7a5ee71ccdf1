using System.Diagnostics;
using System.Net;
using System.Text.Json;
using EnrichProxy.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using static EnrichProxy.IntegrationTests.Infrastructure.ProxyHost;

namespace EnrichProxy.IntegrationTests.Upstreams;

/// <summary>
/// A cluster with two destinations and a failover order, as the README's Lidarr metadata example: the primary
/// on the root of one fake server (behind a relay a test can cut, so that its connections are refused), the
/// mirror under a base path of another. Requests, cached fills and forwarded ones alike, go to the primary,
/// move to the mirror when it refuses, hangs or fails, pass it over while its circuit is open, and come back.
/// </summary>
public sealed class FailoverTests : IAsyncDisposable
{
    private const string Cluster = "lidarr-metadata";
    private const string Upstream = $"EnrichProxy:Upstreams:{Cluster}";
    private readonly FakeUpstream _primary = new();
    private readonly FakeUpstream _mirror = new();
    private readonly TcpRelay _primaryLink;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero));

    public FailoverTests()
    {
        _primaryLink = new TcpRelay(_primary.Server.Ports[0]);
        for (var i = 0; i < 12; i++)
        {
            _primary.Json($"/artist/a{i}", $$"""{ "id": "a{{i}}", "from": "primary" }""");
            _mirror.Json($"/api/v0.4/artist/a{i}", $$"""{ "id": "a{{i}}", "from": "mirror" }""");
        }
    }

    [Fact]
    public async Task APrimaryThatRefuses_IsReplacedByTheMirror_PassedOverWhileItsCircuitIsOpen_ThenUsedAgain()
    {
        await using var proxy = await StartAsync(FailoverSettings(), _time);
        Assert.Equal("primary", await FromAsync(proxy, "a0"));

        _primaryLink.Cut();
        for (var i = 1; i <= 6; i++)
        {
            // Five refusals open the primary's circuit; the sixth request goes straight to the mirror.
            Assert.Equal("mirror", await FromAsync(proxy, $"a{i}"));
        }

        var metrics = await proxy.ScrapeAsync(DestinationCircuit("default", 1));
        Assert.Contains(DestinationCircuit("default", 1), metrics, StringComparison.Ordinal);
        Assert.Contains(DestinationCircuit("mirror", 0), metrics, StringComparison.Ordinal);
        Assert.Contains($$"""enrichproxy_upstream_circuit_state{otel_scope_name="EnrichProxy",cluster="{{Cluster}}"} 0""", metrics, StringComparison.Ordinal);
        Assert.Contains($$"""enrichproxy_upstream_failovers_total{otel_scope_name="EnrichProxy",cluster="{{Cluster}}",destination="mirror"} 6""", metrics, StringComparison.Ordinal);
        Assert.Contains($$"""enrichproxy_upstream_requests_total{otel_scope_name="EnrichProxy",cluster="{{Cluster}}",status="error"} 5""", metrics, StringComparison.Ordinal);
        using (var ready = await proxy.Client.GetAsync("/health/ready"))
        {
            using var report = JsonDocument.Parse(await ready.BodyAsync());
            var upstreams = report.RootElement.GetProperty("checks").GetProperty("upstreams");
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            Assert.Equal("Degraded", upstreams.GetProperty("status").GetString());
            Assert.Equal("open", upstreams.GetProperty("data").GetProperty($"{Cluster}/default").GetString());
            Assert.Equal("closed", upstreams.GetProperty("data").GetProperty($"{Cluster}/mirror").GetString());
            Assert.Equal("closed", upstreams.GetProperty("data").GetProperty(Cluster).GetString());
        }

        // The primary is back; past the break its probe succeeds and it is first again.
        _primaryLink.Restore();
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal("primary", await FromAsync(proxy, "a7"));
        Assert.Equal("primary", await FromAsync(proxy, "a8"));
        Assert.Empty(_mirror.Received("/api/v0.4/artist/a7"));
        var closed = await proxy.ScrapeAsync(DestinationCircuit("default", 0));
        Assert.Contains(DestinationCircuit("default", 0), closed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APrimaryThatHangs_OrAnswersA5xx_IsReplacedByTheMirror_ForFillsAndForwardedRequests()
    {
        _primary.Json("/artist/a9", "{}", delay: TimeSpan.FromMinutes(2));
        _primary.Json("/artist/a10", "<html>Bad gateway</html>", status: 502);
        _primary.Json("/series/1", "{}", status: 503);
        _mirror.Json("/api/v0.4/series/1", """{ "from": "mirror" }""");
        await using var proxy = await StartAsync(FailoverSettings((Upstream + ":Timeouts:Attempt", "00:00:01")));

        var clock = Stopwatch.StartNew();
        Assert.Equal("mirror", await FromAsync(proxy, "a9"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"answered after {clock.Elapsed.TotalSeconds:0.0} s; the attempt timeout is 1 s");
        Assert.Equal("mirror", await FromAsync(proxy, "a10"));

        // Not cached (the cluster's catch-all route): YARP forwards it, and the same failover applies.
        using var forwarded = await proxy.Client.GetAsync($"/{Cluster}/series/1");
        Assert.Equal(HttpStatusCode.OK, forwarded.StatusCode);
        Assert.Contains("mirror", await forwarded.BodyAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARequestWithABody_ThatReachedThePrimary_IsNotSentAgainToTheMirror()
    {
        _primary.Json("/search", "{}", status: 503);
        _mirror.Json("/api/v0.4/search", """{ "from": "mirror" }""");
        await using var proxy = await StartAsync(FailoverSettings());

        using var answer = await proxy.Client.PostAsync($"/{Cluster}/search", new StringContent("""{ "q": "x" }"""));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
        Assert.Single(_primary.Received("/search"));
        Assert.Empty(_mirror.Received("/api/v0.4/search"));
    }

    public async ValueTask DisposeAsync()
    {
        await _primaryLink.DisposeAsync();
        _primary.Dispose();
        _mirror.Dispose();
    }

    private static string DestinationCircuit(string destination, int state) =>
        $$"""enrichproxy_upstream_destination_circuit_state{otel_scope_name="EnrichProxy",cluster="{{Cluster}}",destination="{{destination}}"} {{state}}""";

    private static async Task<string?> FromAsync(ProxyHost proxy, string artist)
    {
        using var answer = await proxy.Client.GetAsync($"/{Cluster}/artist/{artist}");
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        using var body = JsonDocument.Parse(await answer.BodyAsync());
        return body.RootElement.GetProperty("from").GetString();
    }

    private Dictionary<string, string> FailoverSettings(params (string Key, string Value)[] more) => Settings(
        [
            Destination(Cluster, $"http://127.0.0.1:{_primaryLink.Port}/"),
            ($"ReverseProxy:Clusters:{Cluster}:Destinations:mirror:Address", _mirror.Url + "/api/v0.4/"),
            (Upstream + ":FailoverOrder:0", "default"),
            (Upstream + ":FailoverOrder:1", "mirror"),
            // The shipped rate limit (1 a second) is for the real server.
            (Upstream + ":RateLimit:PermitsPerSecond", "1000"),
            (Upstream + ":RateLimit:Burst", "1000"),
            .. more,
        ]);
}

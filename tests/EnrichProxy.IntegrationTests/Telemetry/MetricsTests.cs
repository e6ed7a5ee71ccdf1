using System.Text.Json;
using System.Text.RegularExpressions;
using EnrichProxy.IntegrationTests.Fixtures;
using EnrichProxy.IntegrationTests.Infrastructure;
using static EnrichProxy.IntegrationTests.Infrastructure.PrometheusText;
using static EnrichProxy.IntegrationTests.Infrastructure.ProxyHost;

namespace EnrichProxy.IntegrationTests.Telemetry;

/// <summary><c>/metrics</c> after real traffic, the Grafana dashboard against it, and what is logged.</summary>
public sealed partial class MetricsTests : IDisposable
{
    private readonly FakeUpstream _tmdb = new();

    public MetricsTests()
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie());
        _tmdb.Json("/3/movie/700", Tmdb.Movie("Slow"), delay: TimeSpan.FromSeconds(1));
        _tmdb.Json("/3/movie/500", """{"status_message":"Internal error"}""", status: 500, delay: TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task Metrics_CountWhatHappened()
    {
        await using var proxy = await StartAsync(Settings());

        await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        var herd = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => proxy.Client.GetAsync("/tmdb/3/movie/700")));
        var herdMisses = herd.Count(response => response.XCache() == "MISS");
        await proxy.Client.GetAsync("/tmdb/3/movie/500");
        await proxy.PurgeAsync(new { tag = "tmdb:movie:603" });

        var scrape = await ScrapeUntilAsync(proxy, text => Value(text, "enrichproxy_cache_l2_entries") >= 2);
        var route = ("route", "tmdb-movie");
        var tmdb = ("cluster", "tmdb");

        // The herd: one request fills, those that came while it ran wait for it (MISS, coalesced), any later one hits.
        Assert.Equal(2 + (6 - herdMisses), Value(scrape, "enrichproxy_cache_requests_total", route, ("result", "hit")));
        Assert.Equal(1 + herdMisses + 1, Value(scrape, "enrichproxy_cache_requests_total", route, ("result", "miss")));
        Assert.Equal(0, Value(scrape, "enrichproxy_cache_requests_total", route, ("result", "stale")));
        Assert.Equal(herdMisses - 1, Value(scrape, "enrichproxy_cache_coalesced_total", route));
        Assert.Equal(2, Value(scrape, "enrichproxy_upstream_requests_total", tmdb, ("status", "200")));
        Assert.Equal(1, Value(scrape, "enrichproxy_upstream_requests_total", tmdb, ("status", "500")));
        Assert.Equal(3, Value(scrape, "enrichproxy_upstream_duration_seconds_count", tmdb));
        Assert.True(Value(scrape, "enrichproxy_upstream_duration_seconds_sum", tmdb) >= 1.0, "the slow answer took a second");
        Assert.Equal(0, Value(scrape, "enrichproxy_upstream_refused_total", tmdb, ("reason", "circuit_open")));
        Assert.Equal(0, Value(scrape, "enrichproxy_upstream_circuit_state", tmdb));
        Assert.True(Value(scrape, "enrichproxy_cache_l1_entries") >= 2);
        Assert.True(Value(scrape, "enrichproxy_cache_l1_size_bytes") > 0);
        Assert.True(Value(scrape, "enrichproxy_cache_l2_size_bytes") > 0);
        Assert.Equal(0, Value(scrape, "enrichproxy_cache_l2_errors_total", ("operation", "get")));
        Assert.Equal(1, Value(scrape, "enrichproxy_cache_purges_total", ("scope", "tag")));
        Assert.All(["refresh", "prefetch", "warmup"], lane => Assert.Equal(0, Value(scrape, "enrichproxy_queue_depth", ("lane", lane))));
        Assert.Equal(0, Value(scrape, "enrichproxy_queue_running"));
        Assert.Equal(0, Value(scrape, "enrichproxy_queue_jobs_total", ("kind", "refresh"), ("result", "stored")));
        Assert.Equal(0, Value(scrape, "enrichproxy_queue_deduplicated_total", ("kind", "prefetch")));
        Assert.Equal(0, Value(scrape, "enrichproxy_queue_dropped_total", ("kind", "warmup")));
        Assert.Equal(0, Value(scrape, "enrichproxy_warmup_items"));
        Assert.True(Has(scrape, "fusioncache_cache_get_or_set_total"), "FusionCache's own meter is exported");
    }

    [Fact]
    public async Task EveryMetricTheGrafanaDashboardUses_IsExported()
    {
        var dashboard = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "config", "grafana", "enrichproxy.json"));
        using var parsed = JsonDocument.Parse(dashboard);
        var used = MetricName().Matches(dashboard).Select(match => match.Value).Distinct().ToList();
        await using var proxy = await StartAsync(Settings());
        await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);

        var scrape = await ScrapeUntilAsync(proxy, text => Has(text, "enrichproxy_upstream_duration_seconds_bucket"));

        Assert.True(used.Count >= 15, $"the dashboard uses {used.Count} metrics");
        Assert.All(used, name => Assert.True(Has(scrape, name), $"{name} is used by the dashboard but not exported"));
    }

    [Fact]
    public async Task Logs_OneLinePerUpstreamFailure_NoneForHits()
    {
        await using var proxy = await StartAsync(Settings());
        await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        var before = InformationOrAbove(proxy).Count;

        for (var i = 0; i < 20; i++)
        {
            await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        }

        var afterHits = InformationOrAbove(proxy).Count;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => proxy.Client.GetAsync("/tmdb/3/movie/500")));

        // Waiters share a failed fill (one line); a request that comes after it makes a request and a line of its own.
        var failures = InformationOrAbove(proxy).Count(line => line.Contains("[UpstreamAnswerFailed]", StringComparison.Ordinal));
        Assert.Equal(before, afterHits);
        Assert.InRange(failures, 1, 8);
        Assert.Equal(_tmdb.Received("/3/movie/500").Count, failures);
    }

    public void Dispose() => _tmdb.Dispose();

    private static List<string> InformationOrAbove(ProxyHost proxy) =>
        [.. proxy.Logs.Lines.Where(line => line.StartsWith("Information", StringComparison.Ordinal) || line.StartsWith("Warning", StringComparison.Ordinal)
            || line.StartsWith("Error", StringComparison.Ordinal) || line.StartsWith("Critical", StringComparison.Ordinal))];

    private static async Task<string> ScrapeUntilAsync(ProxyHost proxy, Func<string, bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        string scrape;
        while (!condition(scrape = await proxy.Client.GetStringAsync("/metrics")) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        return scrape;
    }

    private Dictionary<string, string> Settings() => ProxyHost.Settings(
        Destination("tmdb", _tmdb.Url),
        AdminClient.Enabled,
        ("EnrichProxy:Upstreams:tmdb:Retry:MaxRetries", "0"),
        ("EnrichProxy:Cache:L2SampleInterval", "00:00:00.200"));

    [GeneratedRegex("enrichproxy_[a-z0-9_]+")]
    private static partial Regex MetricName();
}

using System.Net;
using EnrichProxy.IntegrationTests.Fixtures;
using EnrichProxy.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using static EnrichProxy.IntegrationTests.Infrastructure.ProxyHost;

namespace EnrichProxy.IntegrationTests.Caching;

/// <summary>HIT versus STALE follows the injected clock, so these tests move time instead of waiting.</summary>
public sealed class StaleWhileRevalidateTests : IDisposable
{
    private readonly FakeUpstream _tmdb = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task PastTheTtl_AnswersStaleAtOnceAndRefreshesOnceInTheBackground()
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie("Version 1"));
        await using var proxy = await StartAsync(Settings(), _time);
        using var fresh = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        Assert.Equal("MISS", fresh.XCache());

        _time.Advance(TimeSpan.FromMinutes(59));
        using var stillFresh = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        Assert.Equal("HIT", stillFresh.XCache());
        Assert.Equal(59 * 60, stillFresh.AgeSeconds());

        _tmdb.Server.Reset();
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie("Version 2"), delay: TimeSpan.FromMilliseconds(300));
        _time.Advance(TimeSpan.FromMinutes(30));
        var stale = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => proxy.Client.GetAsync(Tmdb.ProxyMoviePath)));

        Assert.All(stale, response => Assert.Equal("STALE", response.XCache()));
        Assert.All(await Task.WhenAll(stale.Select(r => r.BodyAsync())), body => Assert.Contains("Version 1", body, StringComparison.Ordinal));
        await _tmdb.WaitForAsync(Tmdb.MoviePath, 1);

        // Once the refresh has landed, the entry is fresh again with the new answer.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        HttpResponseMessage refreshed;
        do
        {
            await Task.Delay(100);
            refreshed = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        }
        while (refreshed.XCache() != "HIT" && DateTime.UtcNow < deadline);

        Assert.Equal("HIT", refreshed.XCache());
        Assert.Contains("Version 2", await refreshed.BodyAsync(), StringComparison.Ordinal);
        Assert.Single(_tmdb.Received(Tmdb.MoviePath));
    }

    [Fact]
    public async Task ANotFound_IsNeverTheStaleAnswerOfAFailingUpstream_PastItsNegativeTtl()
    {
        _tmdb.Json("/3/movie/999999", Tmdb.NotFound, status: 404);
        await using var proxy = await StartAsync(Settings(), _time);
        using var first = await proxy.Client.GetAsync("/tmdb/3/movie/999999");
        using var cached = await proxy.Client.GetAsync("/tmdb/3/movie/999999");
        Assert.Equal("HIT", cached.XCache());

        // Past the negative TTL (the policy's 1 hour), well within the positive answers' stale windows (2 and 6 hours).
        _time.Advance(TimeSpan.FromHours(2));
        _tmdb.Server.Reset();
        _tmdb.Json("/3/movie/999999", """{"status_message":"down"}""", status: 500);
        using var failing = await proxy.Client.GetAsync("/tmdb/3/movie/999999");

        Assert.NotEqual(HttpStatusCode.NotFound, failing.StatusCode);
        Assert.NotEqual("STALE", failing.XCache());
        Assert.Single(_tmdb.Received("/3/movie/999999"));
    }

    [Fact]
    public async Task AFailedRefresh_KeepsAnsweringStaleAndLeavesTheUpstreamAloneForAWhile()
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie("Version 1"));
        await using var proxy = await StartAsync(Settings(), _time);
        await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);

        _tmdb.Server.Reset();
        _tmdb.Json(Tmdb.MoviePath, "{}", status: 502);
        _time.Advance(TimeSpan.FromMinutes(90));
        using var stale = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        await _tmdb.WaitForAsync(Tmdb.MoviePath, 1);
        await WaitForLogAsync(proxy, "RefreshNotStored");
        await WaitForRefreshEndedAsync(proxy); // Its back-off is in place once the queue counts it ended.
        for (var i = 0; i < 10; i++)
        {
            using var stillStale = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
            Assert.Equal("STALE", stillStale.XCache());
            Assert.Contains("Version 1", await stillStale.BodyAsync(), StringComparison.Ordinal);
        }

        Assert.Equal("STALE", stale.XCache());
        Assert.Single(_tmdb.Received(Tmdb.MoviePath));

        // Past the fail-safe throttle period (30 s) the next stale answer tries again.
        _time.Advance(TimeSpan.FromSeconds(31));
        using var retry = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        await _tmdb.WaitForAsync(Tmdb.MoviePath, 2);
        Assert.Equal("STALE", retry.XCache());
    }

    private static async Task WaitForRefreshEndedAsync(ProxyHost proxy)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((PrometheusText.Value(await proxy.Client.GetStringAsync("/metrics"), "enrichproxy_queue_jobs_total", ("kind", "refresh"), ("result", "not_stored")) ?? 0) < 1
            && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
    }

    private static async Task WaitForLogAsync(ProxyHost proxy, string eventName)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!proxy.Logs.Contains(eventName) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.True(proxy.Logs.Contains(eventName), $"no {eventName} logged");
    }

    public void Dispose() => _tmdb.Dispose();

    private Dictionary<string, string> Settings() => ProxyHost.Settings(
        Destination("tmdb", _tmdb.Url),
        ("EnrichProxy:Upstreams:tmdb:ApiKey", "proxy-tmdb-key-0123456789"),
        ("EnrichProxy:Upstreams:tmdb:Retry:MaxRetries", "0"),
        Policy("tmdb-movie", "Ttl", TimeSpan.FromHours(1)),
        Policy("tmdb-movie", "StaleWhileRevalidate", TimeSpan.FromHours(2)),
        Policy("tmdb-movie", "StaleIfError", TimeSpan.FromHours(6)));
}

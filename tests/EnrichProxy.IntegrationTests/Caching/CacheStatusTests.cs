using System.Net;
using EnrichProxy.IntegrationTests.Fixtures;
using EnrichProxy.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using static EnrichProxy.IntegrationTests.Infrastructure.ProxyHost;

namespace EnrichProxy.IntegrationTests.Caching;

/// <summary><c>Cache-Status</c> (RFC 9211) on every answer of a cached route, beside <c>X-Cache</c>.</summary>
public sealed class CacheStatusTests : IDisposable
{
    private readonly FakeUpstream _tmdb = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task MissHitAndStale_SayWhatTheCacheDidAndTheTimeToLive()
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie());
        await using var proxy = await StartAsync(Settings(), _time);

        using var miss = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        _time.Advance(TimeSpan.FromMinutes(1));
        using var hit = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        using var fastHit = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        _time.Advance(TimeSpan.FromHours(24));
        using var stale = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);

        // tmdb-movie: a TTL of a day, an hour of stale-while-revalidate.
        Assert.Equal("EnrichProxy; fwd=uri-miss; fwd-status=200; stored; ttl=86400", miss.CacheStatus());
        Assert.Equal("EnrichProxy; hit; ttl=86340", hit.CacheStatus());
        Assert.Equal("EnrichProxy; hit; ttl=86340", fastHit.CacheStatus());
        Assert.Equal("EnrichProxy; hit; ttl=-60; detail=stale-while-revalidate", stale.CacheStatus());
        Assert.Equal("STALE", stale.XCache());
    }

    [Fact]
    public async Task ConcurrentMisses_SayTheyWereCollapsed()
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie(), delay: TimeSpan.FromMilliseconds(300));
        await using var proxy = await StartAsync(Settings());

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => proxy.Client.GetAsync(Tmdb.ProxyMoviePath)));

        Assert.Single(_tmdb.Received(Tmdb.MoviePath));
        Assert.Single(responses, response => !response.CacheStatus().Contains("collapsed", StringComparison.Ordinal));
        Assert.All(responses, response => Assert.StartsWith("EnrichProxy; fwd=uri-miss; fwd-status=200; stored", response.CacheStatus(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnUpstreamErrorAndANotFound_CarryTheUpstreamsStatus()
    {
        _tmdb.Json("/3/movie/1", """{"status_message":"down"}""", status: 503);
        _tmdb.Json("/3/movie/2", Tmdb.NotFound, status: 404);
        await using var proxy = await StartAsync(Settings(("EnrichProxy:Upstreams:tmdb:Retry:MaxRetries", "0")));

        using var failed = await proxy.Client.GetAsync("/tmdb/3/movie/1");
        using var notFound = await proxy.Client.GetAsync("/tmdb/3/movie/2");

        Assert.Equal("EnrichProxy; fwd=uri-miss; fwd-status=503", failed.CacheStatus());
        Assert.Equal("EnrichProxy; fwd=uri-miss; fwd-status=404; stored; ttl=3600", notFound.CacheStatus());
    }

    [Fact]
    public async Task ForwardedRequests_SayWhyAfterTheUpstreamCachesMember_StoredOnesSpeakOnlyForThisCache()
    {
        _tmdb.Json("/3/movie/603/rating", """{"success":true}""", headers: [("Cache-Status", "OriginCdn; hit")]);
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie(), headers: [("Cache-Status", "OriginCdn; fwd=miss")]);
        await using var proxy = await StartAsync(Settings());

        using var post = await proxy.Client.PostAsync("/tmdb/3/movie/603/rating", new StringContent("{}"));
        using var miss = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);

        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        Assert.Equal("BYPASS", post.XCache());
        Assert.Equal("OriginCdn; hit, EnrichProxy; fwd=method", post.CacheStatus());
        // A stored answer serves later requests that no cache before the proxy handled: the fill's upstream member is not kept.
        Assert.Equal("EnrichProxy; fwd=uri-miss; fwd-status=200; stored; ttl=86400", miss.CacheStatus());
    }

    public void Dispose() => _tmdb.Dispose();

    private Dictionary<string, string> Settings(params (string Key, string Value)[] extra) =>
        ProxyHost.Settings([Destination("tmdb", _tmdb.Url), .. extra]);
}

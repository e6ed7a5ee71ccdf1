using EnrichProxy.Caching;
using EnrichProxy.Caching.Http;
using EnrichProxy.Configuration;
using EnrichProxy.Upstreams;

namespace EnrichProxy.Tests.Caching;

/// <summary>The <c>Cache-Status</c> member (RFC 9211) of each read result.</summary>
public sealed class CacheStatusTests
{
    private static readonly CachePolicy Policy = new("test", new CachePolicyOptions { Ttl = TimeSpan.FromHours(1), NegativeTtl = TimeSpan.FromMinutes(5) });

    private static readonly CachedResponse Entry = new() { StatusCode = 200, Headers = [], Body = [], StoredAt = DateTimeOffset.UnixEpoch };

    [Fact]
    public void Of_EachReadResult_SaysWhatTheCacheDid()
    {
        var age = TimeSpan.FromSeconds(10.7);
        Assert.Equal("EnrichProxy; hit; ttl=3590", CacheStatus.Of(new ReadResult.Hit(Entry, age), Policy));
        Assert.Equal(
            "EnrichProxy; hit; ttl=-10; detail=stale-while-revalidate",
            CacheStatus.Of(new ReadResult.Stale(Entry, TimeSpan.FromSeconds(3610), StaleReason.Revalidating), Policy));
        Assert.Equal(
            "EnrichProxy; hit; ttl=-10; detail=stale-if-error",
            CacheStatus.Of(new ReadResult.Stale(Entry, TimeSpan.FromSeconds(3610), StaleReason.UpstreamFailing), Policy));
        Assert.Equal(
            "EnrichProxy; fwd=stale; collapsed; ttl=-10; detail=soft-timeout",
            CacheStatus.Of(new ReadResult.Stale(Entry, TimeSpan.FromSeconds(3610), StaleReason.SoftTimeout) { Coalesced = true }, Policy));
        Assert.Equal(
            "EnrichProxy; fwd=stale; ttl=-10; detail=stale-if-error",
            CacheStatus.Of(new ReadResult.Stale(Entry, TimeSpan.FromSeconds(3610), StaleReason.UpstreamFailed), Policy));
        Assert.Equal(
            "EnrichProxy; fwd=uri-miss; fwd-status=200; stored; ttl=3600",
            CacheStatus.Of(new ReadResult.Filled(Entry, TimeSpan.Zero, new FetchReport(200, Stored: true, ReplacedStale: false)), Policy));
        Assert.Equal(
            "EnrichProxy; fwd=uri-miss; fwd-status=403",
            CacheStatus.Of(new ReadResult.Filled(Entry, TimeSpan.Zero, new FetchReport(403, Stored: false, ReplacedStale: false)), Policy));
        Assert.Equal(
            "EnrichProxy; fwd=uri-miss; stored; collapsed; ttl=3600",
            CacheStatus.Of(new ReadResult.Filled(Entry, TimeSpan.Zero), Policy)); // Stored by another instance's fill.
        Assert.Equal("EnrichProxy; fwd=uri-miss; fwd-status=200; detail=private", CacheStatus.Of(new ReadResult.Private(Entry), Policy));
        Assert.Equal(
            "EnrichProxy; fwd=uri-miss; detail=upstream-unreachable",
            CacheStatus.Of(new ReadResult.Failed(UpstreamProblem.Unreachable("down")), Policy));
        Assert.Equal("EnrichProxy; fwd=bypass; detail=too-large", CacheStatus.Of(new ReadResult.Forward(ForwardReason.TooLarge), Policy));
        Assert.Equal("EnrichProxy; fwd=bypass; collapsed; detail=private", CacheStatus.Of(new ReadResult.Forward(ForwardReason.NotShared), Policy));
        Assert.Equal("EnrichProxy; fwd=bypass; detail=credentials", CacheStatus.Of(new ReadResult.Forward(ForwardReason.NotCacheable), Policy));
    }

    [Fact]
    public void Hit_IsTheSameStringForTheSameTtl_AndRightForEveryTtl()
    {
        Assert.Same(CacheStatus.Hit(1234), CacheStatus.Hit(1234));
        Assert.Equal("EnrichProxy; hit; ttl=5330", CacheStatus.Hit(1234 + 4096)); // Same slot, another ttl.
        Assert.Equal("EnrichProxy; hit; ttl=1234", CacheStatus.Hit(1234));
        Assert.Equal("EnrichProxy; hit; ttl=-3", CacheStatus.Hit(-3));
    }

    [Fact]
    public void Summary_OfABatch_SaysItsWorstResult()
    {
        Assert.Equal("EnrichProxy; hit", CacheStatus.Summary(CacheResult.Hit));
        Assert.Equal("EnrichProxy; hit; detail=stale", CacheStatus.Summary(CacheResult.Stale));
        Assert.Equal("EnrichProxy; fwd=uri-miss", CacheStatus.Summary(CacheResult.Miss));
        Assert.Equal("EnrichProxy; fwd=bypass", CacheStatus.Summary(CacheResult.Bypass));
    }

    [Fact]
    public void Ttl_AddsUpWithTheAgeHeader()
    {
        Assert.Equal(3590, CacheStatus.Ttl(TimeSpan.FromHours(1), TimeSpan.FromSeconds(10.9)));
        Assert.Equal(3600, CacheStatus.Ttl(TimeSpan.FromHours(1), TimeSpan.FromSeconds(-1)));
    }
}

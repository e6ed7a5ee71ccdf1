using System.Collections.Concurrent;
using EnrichProxy.Caching;
using EnrichProxy.Configuration;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using ZiggyCreatures.Caching.Fusion;
using ZiggyCreatures.Caching.Fusion.Serialization.SystemTextJson;

namespace EnrichProxy.Tests.Caching;

public sealed class CachePolicyTests
{
    [Fact]
    public void EntryOptions_KeepTheEntryForTheLongerStaleWindow()
    {
        var policy = TestPolicies.Create(ttl: TimeSpan.FromHours(24), staleWhileRevalidate: TimeSpan.FromHours(1), staleIfError: TimeSpan.FromDays(7));

        Assert.Equal(TimeSpan.FromHours(25), policy.EntryOptions.Duration);
        Assert.True(policy.EntryOptions.IsFailSafeEnabled);
        Assert.Equal(TimeSpan.FromDays(8), policy.EntryOptions.FailSafeMaxDuration);
    }

    [Fact]
    public void EntryOptions_WithoutStaleWindows_DisableFailSafe()
    {
        var policy = TestPolicies.Create(ttl: TimeSpan.FromMinutes(5));

        Assert.False(policy.EntryOptions.IsFailSafeEnabled);
        Assert.Equal(TimeSpan.FromMinutes(5), policy.EntryOptions.Duration);
    }

    [Fact]
    public void VaryByHeaders_AreNormalisedSortedAndUnique()
    {
        var policy = TestPolicies.Create(vary: ["X-B", "accept-language", "Accept-Language"]);

        Assert.Equal(["accept-language", "x-b"], policy.VaryByHeaders);
    }

    [Theory]
    [InlineData(false, 0)]
    [InlineData(true, 1)]
    public async Task AFillWithAStaleCopyInMemory_LooksInL2FirstOnlyWhenL2IsShared(bool sharedSecondLevel, int l2Reads)
    {
        var options = new CachePolicyOptions { Ttl = TimeSpan.FromMilliseconds(50), StaleIfError = TimeSpan.FromHours(1) };
        var policy = new CachePolicy("test", options, [], sharedSecondLevel: sharedSecondLevel);
        var secondLevel = new CountingDistributedCache();
        using var cache = new FusionCache(new FusionCacheOptions());
        cache.SetupDistributedCache(secondLevel, new FusionCacheSystemTextJsonSerializer());
        await cache.SetAsync("key", "value", policy.EntryOptions);
        await Task.Delay(TimeSpan.FromMilliseconds(150)); // past the TTL, in FusionCache's own clock

        // A fill during an outage: the upstream fails and fail-safe answers the stale copy.
        var answer = await cache.GetOrSetAsync<string>(
            "key", (_, _) => Task.FromException<string>(new HttpRequestException("down")), policy.EntryOptions);

        Assert.Equal("value", answer);
        Assert.Equal(l2Reads, secondLevel.ReadsOf("key"));
    }

    private sealed class CountingDistributedCache : IDistributedCache
    {
        private readonly MemoryDistributedCache _inner = new(Options.Create(new MemoryDistributedCacheOptions()));
        // FusionCache also reads its own entries (the markers of Clear), and prefixes keys with its wire format's version.
        private readonly ConcurrentDictionary<string, int> _reads = new(StringComparer.Ordinal);

        public int ReadsOf(string key) => _reads.Where(r => r.Key == key || r.Key.EndsWith(":" + key, StringComparison.Ordinal)).Sum(r => r.Value);

        public byte[]? Get(string key)
        {
            Count(key);
            return _inner.Get(key);
        }

        public Task<byte[]?> GetAsync(string key, CancellationToken token = default)
        {
            Count(key);
            return _inner.GetAsync(key, token);
        }

        public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => _inner.Set(key, value, options);

        private void Count(string key) => _reads.AddOrUpdate(key, 1, (_, n) => n + 1);

        public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) => _inner.SetAsync(key, value, options, token);

        public void Refresh(string key) => _inner.Refresh(key);

        public Task RefreshAsync(string key, CancellationToken token = default) => _inner.RefreshAsync(key, token);

        public void Remove(string key) => _inner.Remove(key);

        public Task RemoveAsync(string key, CancellationToken token = default) => _inner.RemoveAsync(key, token);
    }
}

using EnrichProxy.Caching;
using ZiggyCreatures.Caching.Fusion;

namespace EnrichProxy.Tests.Caching;

public sealed class HotTargetsTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
    private readonly FusionCache _cache = new(new FusionCacheOptions { EnableSyncEventHandlersExecution = true });
    private readonly HotTargets _targets;
    private readonly CachedResponse _entry = new() { StatusCode = 200, Headers = [], Body = [], StoredAt = Now };

    public HotTargetsTests() => _targets = new HotTargets(_cache);
    private readonly CachePolicy _policy = TestPolicies.Create();
    private readonly RouteCacheCounters _counters = new("tmdb-movie");

    [Fact]
    public void ForgetAll_AfterAPurge_LeavesNothingForTheFastPath()
    {
        _targets.Remember("/tmdb/3/movie/603", "key", _policy, _counters, _targets.Epoch);
        Assert.True(_targets.TryGet("/tmdb/3/movie/603", out _));

        _targets.ForgetAll();

        Assert.False(_targets.TryGet("/tmdb/3/movie/603", out _));
    }

    [Fact]
    public void ATargetLearntFromALookupThatBeganBeforeAPurge_IsNotKept()
    {
        var epochAtLookup = _targets.Epoch;
        _targets.ForgetAll();

        _targets.Remember("/tmdb/3/movie/603", "key", _policy, _counters, epochAtLookup);
        Assert.False(_targets.TryGet("/tmdb/3/movie/603", out _));

        _targets.Remember("/tmdb/3/movie/603", "key", _policy, _counters, _targets.Epoch);
        Assert.True(_targets.TryGet("/tmdb/3/movie/603", out var target));
        Assert.Equal("key", target.Key);
    }

    [Fact]
    public async Task AHeldAnswer_IsReleasedWhenTheCacheStoresOrRemovesItsKey()
    {
        var holder = Remembered();
        Hold(holder);

        await _cache.SetAsync("key", "newer");
        Assert.Null(holder.TryGetHeld(Now, out _));

        Hold(holder);
        await _cache.RemoveAsync("key");
        Assert.Null(holder.TryGetHeld(Now, out _));
    }

    [Fact]
    public void AHeldAnswer_IsLookedUpAgainAfterTheRecheckInterval()
    {
        var holder = Remembered();
        Hold(holder);

        Assert.Same(_entry, holder.TryGetHeld(Now + HotTarget.RecheckInterval - TimeSpan.FromTicks(1), out _));
        Assert.Null(holder.TryGetHeld(Now + HotTarget.RecheckInterval, out _));
    }

    [Fact]
    public void ALookupThatBeganBeforeARelease_CannotHoldWhatItFound()
    {
        var holder = Remembered();
        holder.TryGetHeld(Now, out var seen);

        holder.Release();
        holder.Hold(seen, _entry, Now);

        Assert.Null(holder.TryGetHeld(Now, out _));
    }

    [Fact]
    public void ForgetAll_ReleasesEveryHeldAnswer()
    {
        var holder = Remembered();
        Hold(holder);

        _targets.ForgetAll();

        Assert.Null(holder.TryGetHeld(Now, out _));
    }

    public void Dispose() => _cache.Dispose();

    private HotTarget Remembered()
    {
        _targets.Remember("/tmdb/3/movie/603", "key", _policy, _counters, _targets.Epoch);
        Assert.True(_targets.TryGet("/tmdb/3/movie/603", out var target));
        return target;
    }

    private void Hold(HotTarget holder)
    {
        holder.TryGetHeld(Now, out var seen);
        holder.Hold(seen, _entry, Now);
        Assert.Same(_entry, holder.TryGetHeld(Now, out _));
    }
}

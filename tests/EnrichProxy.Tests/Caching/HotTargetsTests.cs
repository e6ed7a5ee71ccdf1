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
    public void ATargetLongerThanAnyClientNeeds_IsNotRemembered()
    {
        var longTarget = "/tmdb/3/movie/603?" + new string('&', HotTargets.MaxTargetLength);

        _targets.Remember(longTarget, "key", _policy, _counters, _targets.Epoch);

        Assert.False(_targets.TryGet(longTarget, out _));
        Assert.Equal(0, _targets.Count);
    }

    [Fact]
    public void OnlyAFewSpellingsOfOneKey_AreRemembered_AndAForgottenOneFreesItsPlace()
    {
        for (var i = 1; i <= 50; i++)
        {
            _targets.Remember("/tmdb/3/movie/603?" + new string('&', i), "key", _policy, _counters, _targets.Epoch);
        }

        Assert.Equal(HotTargets.MaxSpellingsPerKey, _targets.Count);
        _targets.Remember("/tmdb/3/movie/603?&", "key", _policy, _counters, _targets.Epoch);
        _targets.Remember("/tmdb/3/movie/604", "another-key", _policy, _counters, _targets.Epoch);
        Assert.Equal(HotTargets.MaxSpellingsPerKey + 1, _targets.Count);

        _targets.ForgetAll();
        _targets.Remember("/tmdb/3/movie/603?" + new string('&', 50), "key", _policy, _counters, _targets.Epoch);
        Assert.True(_targets.TryGet("/tmdb/3/movie/603?" + new string('&', 50), out _));
    }

    [Fact]
    public void Memory_IsBoundedInBytes_TheMapStartingOverPastTheBound()
    {
        // Targets of the longest length remembered, each for its own key.
        var padding = new string('x', HotTargets.MaxTargetLength - 32);
        long largest = 0;
        for (var i = 0; i < 40_000; i++)
        {
            _targets.Remember($"/tmdb/3/movie/{i}?{padding}", $"tmdb-movie|GET|/tmdb/3/movie/{i}?{padding}", _policy, _counters, _targets.Epoch);
            largest = Math.Max(largest, _targets.Bytes);
        }

        Assert.InRange(largest, HotTargets.MaxBytes * 9 / 10, HotTargets.MaxBytes);
        Assert.True(_targets.Count < 40_000, "the map started over");
        Assert.True(_targets.TryGet($"/tmdb/3/movie/39999?{padding}", out _), "what came after the start over is remembered");
    }

    [Fact]
    public async Task AHeldAnswer_IsReleasedWhenTheCacheStoresOrRemovesItsKey()
    {
        var holder = Remembered();
        Hold(holder);

        await _cache.SetAsync("key", "newer");
        Assert.False(holder.TryGetHeld(Now, out _, out _));

        Hold(holder);
        await _cache.RemoveAsync("key");
        Assert.False(holder.TryGetHeld(Now, out _, out _));
    }

    [Fact]
    public void AHeldAnswer_IsLookedUpAgainAfterTheRecheckInterval()
    {
        var holder = Remembered();
        Hold(holder);

        Assert.True(holder.TryGetHeld(Now + HotTarget.RecheckInterval - TimeSpan.FromTicks(1), out var held, out _));
        Assert.Same(_entry, held.Entry);
        Assert.False(holder.TryGetHeld(Now + HotTarget.RecheckInterval, out _, out _));
    }

    [Fact]
    public void AHeldAnswer_CarriesWhatAHitWritesAndTheFreshnessOfItsEntry()
    {
        // An origin's answer that had used 1 of its 3 fresh minutes when it arrived, a minute ago.
        var entry = new CachedResponse
        {
            StatusCode = 203,
            Headers = [new("Content-Type", "application/json")],
            Body = [1, 2, 3],
            StoredAt = Now - TimeSpan.FromMinutes(1),
            Origin = new(TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(1), TimeSpan.Zero, TimeSpan.Zero, MustRevalidate: false),
        };
        var holder = Remembered();
        holder.TryGetHeld(Now, out _, out var seen);
        holder.Hold(seen, entry, Now);

        Assert.True(holder.TryGetHeld(Now, out var held, out _));

        Assert.Same(entry, held.Entry);
        Assert.Equal(203, held.StatusCode);
        Assert.Same(entry.Headers, held.Headers);
        Assert.Same(entry.Body, held.Body);
        Assert.Equal(TimeSpan.FromMinutes(2), held.AgeAt(Now));
        Assert.Equal(Freshness.Lifetime(entry, _policy), held.Lifetime);
        // Fresh exactly when the rule of every read says so: to the tick of its third minute of age.
        var lastFresh = Now + TimeSpan.FromMinutes(1);
        Assert.Equal(EntryState.Fresh, Freshness.Of(entry, _policy, lastFresh, out _));
        Assert.True(held.IsFreshAt(lastFresh));
        Assert.NotEqual(EntryState.Fresh, Freshness.Of(entry, _policy, lastFresh.AddTicks(1), out _));
        Assert.False(held.IsFreshAt(lastFresh.AddTicks(1)));
    }

    [Fact]
    public void AfterARelease_WhatIsHeldNextIsTheNewEntrysWhole()
    {
        var holder = Remembered();
        Hold(holder);
        var newer = new CachedResponse { StatusCode = 200, Headers = [new("ETag", "\"2\"")], Body = [9], StoredAt = Now };

        holder.Release();
        Assert.False(holder.TryGetHeld(Now, out _, out var seen));
        holder.Hold(seen, newer, Now);

        Assert.True(holder.TryGetHeld(Now, out var held, out _));
        Assert.Same(newer, held.Entry);
        Assert.Same(newer.Headers, held.Headers);
        Assert.Same(newer.Body, held.Body);
    }

    [Fact]
    public void ALookupThatBeganBeforeARelease_CannotHoldWhatItFound()
    {
        var holder = Remembered();
        holder.TryGetHeld(Now, out _, out var seen);

        holder.Release();
        holder.Hold(seen, _entry, Now);

        Assert.False(holder.TryGetHeld(Now, out _, out _));
    }

    [Fact]
    public void ForgetAll_ReleasesEveryHeldAnswer()
    {
        var holder = Remembered();
        Hold(holder);

        _targets.ForgetAll();

        Assert.False(holder.TryGetHeld(Now, out _, out _));
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
        holder.TryGetHeld(Now, out _, out var seen);
        holder.Hold(seen, _entry, Now);
        Assert.True(holder.TryGetHeld(Now, out var held, out _));
        Assert.Same(_entry, held.Entry);
    }
}

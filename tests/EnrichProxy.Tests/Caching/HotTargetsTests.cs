using EnrichProxy.Caching;
using EnrichProxy.Telemetry;

namespace EnrichProxy.Tests.Caching;

public sealed class HotTargetsTests
{
    private readonly HotTargets _targets = new();
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
}

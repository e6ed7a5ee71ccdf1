using System.Collections.Concurrent;
using EnrichProxy.Telemetry;

namespace EnrichProxy.Caching;

/// <summary>
/// Which cache entry answers a request target (path and query exactly as the client sent them), learnt
/// from the full pipeline, so that <see cref="CacheHitFastPath"/> can answer repeated credential-free
/// hits before routing. Only targets whose answer is the same for every client are remembered.
/// </summary>
internal sealed class HotTargets
{
    // A bound on memory: past it the map starts over and re-learns what is still asked for.
    private const int MaxTargets = 250_000;

    private readonly ConcurrentDictionary<string, HotTarget> _targets = new(StringComparer.Ordinal);

    // Counted here because ConcurrentDictionary.Count takes every lock of the table: on the hit path,
    // that contention halved throughput once the map held tens of thousands of targets.
    private int _count;

    public bool TryGet(string rawTarget, out HotTarget target) => _targets.TryGetValue(rawTarget, out target!);

    public void Remember(string rawTarget, string key, CachePolicy policy, RouteCacheCounters counters)
    {
        if (Volatile.Read(ref _count) >= MaxTargets)
        {
            _targets.Clear();
            Volatile.Write(ref _count, 0);
        }

        if (_targets.TryAdd(rawTarget, new HotTarget(key, policy, counters)))
        {
            Interlocked.Increment(ref _count);
        }
    }
}

/// <summary>A remembered answer: its cache key, its route's policy, and its route's counters.</summary>
internal sealed record HotTarget(string Key, CachePolicy Policy, RouteCacheCounters Counters);

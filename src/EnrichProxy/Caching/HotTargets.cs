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

    // Advanced by every purge. A target learnt from a lookup that began before a purge is not kept: its
    // lookup may have missed the purge's marker.
    private int _epoch;

    /// <summary>Read before a lookup; passed to <see cref="Remember"/> after it.</summary>
    public int Epoch => Volatile.Read(ref _epoch);

    public bool TryGet(string rawTarget, out HotTarget target) => _targets.TryGetValue(rawTarget, out target!);

    public void Remember(string rawTarget, string key, CachePolicy policy, RouteCacheCounters counters, int epoch)
    {
        if (Volatile.Read(ref _count) >= MaxTargets)
        {
            _targets.Clear();
            Volatile.Write(ref _count, 0);
        }

        if (epoch == Epoch && _targets.TryAdd(rawTarget, new HotTarget(key, policy, counters)))
        {
            Interlocked.Increment(ref _count);
            if (epoch != Epoch)
            {
                // A purge came in between: ForgetAll may have cleared the map before the add.
                _targets.TryRemove(rawTarget, out _);
            }
        }
    }

    /// <summary>After a purge: every answer goes through the full pipeline, which checks the purge, until learnt again.</summary>
    public void ForgetAll()
    {
        Interlocked.Increment(ref _epoch);
        _targets.Clear();
        Volatile.Write(ref _count, 0);
    }
}

/// <summary>A remembered answer: its cache key, its route's policy, and its route's counters.</summary>
internal sealed record HotTarget(string Key, CachePolicy Policy, RouteCacheCounters Counters);

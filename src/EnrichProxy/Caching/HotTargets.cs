using System.Collections.Concurrent;
using ZiggyCreatures.Caching.Fusion;

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

    // The same targets by cache key, to release a key's held answer.
    private readonly ConcurrentDictionary<string, HotTarget> _byKey = new(StringComparer.Ordinal);

    // Counted here because ConcurrentDictionary.Count takes every lock of the table: on the hit path,
    // that contention halved throughput once the map held tens of thousands of targets.
    private int _count;

    // Advanced by every purge. A target learnt from a lookup that began before a purge is not kept: its
    // lookup may have missed the purge's marker.
    private int _epoch;

    /// <param name="cache">
    /// The cache whose answers the targets hold. An answer is released the moment the cache changes its key:
    /// a fill or refresh stores, a removal, another instance's change announced on the backplane (the
    /// handlers run synchronously, see <c>EnableSyncEventHandlersExecution</c>). What it does not announce
    /// (an eviction under memory pressure) is caught by the lookup each target makes every
    /// <see cref="HotTarget.RecheckInterval"/>.
    /// </param>
    public HotTargets(IFusionCache cache)
    {
        ArgumentNullException.ThrowIfNull(cache);
        cache.Events.Memory.Set += (_, e) => Release(e.Key);
        cache.Events.Memory.Remove += (_, e) => Release(e.Key);
        cache.Events.Backplane.MessageReceived += (_, e) => Release(e.Message.CacheKey);
    }

    /// <summary>Read before a lookup; passed to <see cref="Remember"/> after it.</summary>
    public int Epoch => Volatile.Read(ref _epoch);

    public bool TryGet(string rawTarget, out HotTarget target) => _targets.TryGetValue(rawTarget, out target!);

    public void Remember(string rawTarget, string key, CachePolicy policy, RouteCacheCounters counters, int epoch)
    {
        if (Volatile.Read(ref _count) >= MaxTargets)
        {
            _targets.Clear();
            _byKey.Clear();
            Volatile.Write(ref _count, 0);
        }

        var target = _byKey.GetOrAdd(key, static (key, state) => new HotTarget(key, state.Policy, state.Counters), (Policy: policy, Counters: counters));
        if (epoch == Epoch && _targets.TryAdd(rawTarget, target))
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
        foreach (var target in _byKey.Values)
        {
            target.Release();
        }

        _byKey.Clear();
        Volatile.Write(ref _count, 0);
    }

    private void Release(string? key)
    {
        if (key is not null && _byKey.TryGetValue(key, out var target))
        {
            target.Release();
        }
    }
}

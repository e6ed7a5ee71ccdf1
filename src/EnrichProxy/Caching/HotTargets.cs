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
    /// <summary>Targets longer than this are not remembered: no client of a metadata API needs one, and each costs its length.</summary>
    public const int MaxTargetLength = 1024;

    /// <summary>
    /// Spellings remembered per cache key (<c>%6Dovie</c> for <c>movie</c>, a query with <c>&amp;&amp;&amp;</c>...): a
    /// client's usual spelling or two are, the thousands a hostile one can make of one URL are not (they are still
    /// answered, by the full pipeline).
    /// </summary>
    public const int MaxSpellingsPerKey = 4;

    /// <summary>
    /// A bound on memory, in bytes of remembered targets and keys with their map entries: past it the map starts
    /// over and re-learns what is still asked for.
    /// </summary>
    public const long MaxBytes = 64L * 1024 * 1024;

    // A dictionary node and a string's header, about.
    private const int EntryOverheadBytes = 96;

    private readonly ConcurrentDictionary<string, HotTarget> _targets = new(StringComparer.Ordinal);

    // The same targets by cache key, to release a key's held answer.
    private readonly ConcurrentDictionary<string, HotTarget> _byKey = new(StringComparer.Ordinal);

    // Counted here because ConcurrentDictionary.Count takes every lock of the table: on the hit path,
    // that contention halved throughput once the map held tens of thousands of targets.
    private long _bytes;

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

    /// <summary>About how much memory the remembered targets take.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>How many targets are remembered (counting every lock of the map: not for the hit path).</summary>
    public int Count => _targets.Count;

    public bool TryGet(string rawTarget, out HotTarget target) => _targets.TryGetValue(rawTarget, out target!);

    public void Remember(string rawTarget, string key, CachePolicy policy, RouteCacheCounters counters, int epoch)
    {
        ArgumentNullException.ThrowIfNull(rawTarget);
        ArgumentNullException.ThrowIfNull(key);
        if (rawTarget.Length > MaxTargetLength)
        {
            return;
        }

        var targetBytes = EntryOverheadBytes + (2L * rawTarget.Length);
        if (Bytes + targetBytes + EntryOverheadBytes + (2L * key.Length) > MaxBytes)
        {
            // A new epoch, as after a purge: a Remember that found a target before the clear cannot add it after.
            Interlocked.Increment(ref _epoch);
            StartOver();
        }

        if (!_byKey.TryGetValue(key, out var target))
        {
            var created = new HotTarget(key, policy, counters);
            target = _byKey.GetOrAdd(key, created);
            if (ReferenceEquals(target, created))
            {
                Interlocked.Add(ref _bytes, EntryOverheadBytes + (2L * key.Length));
            }
        }

        if (epoch != Epoch || !target.TryAddSpelling())
        {
            return;
        }

        if (!_targets.TryAdd(rawTarget, target))
        {
            target.ForgetSpelling();
            return;
        }

        Interlocked.Add(ref _bytes, targetBytes);
        if (epoch != Epoch)
        {
            // A purge came in between: ForgetAll may have cleared the map before the add.
            _targets.TryRemove(rawTarget, out _);
        }
    }

    /// <summary>After a purge: every answer goes through the full pipeline, which checks the purge, until learnt again.</summary>
    public void ForgetAll()
    {
        Interlocked.Increment(ref _epoch);
        StartOver();
    }

    private void StartOver()
    {
        _targets.Clear();
        foreach (var target in _byKey.Values)
        {
            target.Release();
        }

        _byKey.Clear();
        Interlocked.Exchange(ref _bytes, 0);
    }

    private void Release(string? key)
    {
        if (key is not null && _byKey.TryGetValue(key, out var target))
        {
            target.Release();
        }
    }
}

namespace EnrichProxy.Caching;

/// <summary>
/// A remembered answer, one per cache key (shared by the targets that spell the key differently): its key, its
/// route's policy and counters, and the answer the fast path holds for it, so that a hit is a map lookup and a
/// write rather than a trip through FusionCache and the memory cache (a tenth of a hit's CPU over 10,000 keys).
/// <see cref="HotTargets"/> releases the held answer when the cache changes the key; what the cache does not
/// announce (an eviction under memory pressure) is caught by looking the key up again every <see cref="RecheckInterval"/>.
/// </summary>
internal sealed class HotTarget(string key, CachePolicy policy, RouteCacheCounters counters)
{
    /// <summary>How long a held answer is used before the key is looked up in the cache again.</summary>
    public static readonly TimeSpan RecheckInterval = TimeSpan.FromSeconds(5);

    // A new empty state on every release: a lookup that began before a release cannot install what it found.
    private Held _held = new(null, 0);
    private int _spellings;

    public string Key { get; } = key;

    public CachePolicy Policy { get; } = policy;

    public RouteCacheCounters Counters { get; } = counters;

    /// <summary>The held answer, or null when there is none or it is due for a lookup at <paramref name="now"/>.</summary>
    public CachedResponse? TryGetHeld(DateTimeOffset now, out Held seen)
    {
        seen = Volatile.Read(ref _held);
        return now.UtcTicks < seen.RecheckAt ? seen.Entry : null;
    }

    /// <summary>Holds <paramref name="entry"/>, found in the cache at <paramref name="now"/>, unless the answer was released since <paramref name="seen"/>.</summary>
    public void Hold(Held seen, CachedResponse entry, DateTimeOffset now) =>
        Interlocked.CompareExchange(ref _held, new Held(entry, (now + RecheckInterval).UtcTicks), seen);

    public void Release() => Volatile.Write(ref _held, new Held(null, 0));

    /// <summary>Counts one more target spelling this key, unless it has <see cref="HotTargets.MaxSpellingsPerKey"/> already.</summary>
    public bool TryAddSpelling()
    {
        if (Interlocked.Increment(ref _spellings) <= HotTargets.MaxSpellingsPerKey)
        {
            return true;
        }

        Interlocked.Decrement(ref _spellings);
        return false;
    }

    public void ForgetSpelling() => Interlocked.Decrement(ref _spellings);

    /// <summary>An answer and when to look its key up again (UTC ticks).</summary>
    internal sealed record Held(CachedResponse? Entry, long RecheckAt);
}

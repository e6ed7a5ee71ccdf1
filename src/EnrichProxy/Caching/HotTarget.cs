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

    // The held answer and when to look its key up again (UTC ticks) are fields of the target, not of an object it points
    // to: over thousands of keys every object a hit reads is likely a cache and TLB miss, and these are read on every hit.
    // Hits read them without a lock; a lookup holding what it found and a release take it.
    private readonly Lock _writing = new();
    private CachedResponse? _entry;
    private long _recheckAt;

    // Advanced by every release: a lookup that began before a release cannot hold what it found.
    private int _releases;
    private int _spellings;

    public string Key { get; } = key;

    public CachePolicy Policy { get; } = policy;

    public RouteCacheCounters Counters { get; } = counters;

    /// <summary>
    /// The held answer, or null when there is none or it is due for a lookup at <paramref name="now"/>. <paramref name="releases"/>
    /// is what <see cref="Hold"/> needs to know whether the target was released since.
    /// </summary>
    public CachedResponse? TryGetHeld(DateTimeOffset now, out int releases)
    {
        releases = Volatile.Read(ref _releases);
        // The entry before its time (a lookup writes them the other way round), and the count again after both: a release
        // counts last, so a pair read across a release, then another lookup, is never taken for one.
        var entry = Volatile.Read(ref _entry);
        var current = entry is not null && now.UtcTicks < Volatile.Read(ref _recheckAt);
        return current && Volatile.Read(ref _releases) == releases ? entry : null;
    }

    /// <summary>Holds <paramref name="entry"/>, found in the cache at <paramref name="now"/>, unless the target was released since <see cref="TryGetHeld"/> said <paramref name="releases"/>.</summary>
    public void Hold(int releases, CachedResponse entry, DateTimeOffset now)
    {
        lock (_writing)
        {
            if (_releases != releases)
            {
                return;
            }

            Volatile.Write(ref _recheckAt, (now + RecheckInterval).UtcTicks);
            Volatile.Write(ref _entry, entry);
        }
    }

    public void Release()
    {
        lock (_writing)
        {
            Volatile.Write(ref _entry, null);
            Volatile.Write(ref _recheckAt, 0);
            Volatile.Write(ref _releases, _releases + 1);
        }
    }

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
}

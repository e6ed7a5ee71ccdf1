using EnrichProxy.Upstreams;

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

    // The held answer, when to look its key up again (UTC ticks), and what a plain hit needs of the answer, copied from it
    // when it was held, are fields of the target, not of objects it points to: over thousands of keys every object a hit
    // reads is likely a cache and TLB miss, and these are read on every hit. Hits read them without a lock, between two
    // reads of _version, which every write (a lookup holding what it found, a release) makes odd while it lasts and advances:
    // a hit that saw a write under way, or a different version after its reads, uses nothing it read.
    private readonly Lock _writing = new();
    private int _version;
    private CachedResponse? _entry;
    private long _recheckAt;
    private int _statusCode;
    private ResponseHeader[] _headers = [];
    private byte[] _body = [];
    private long _ageBaseTicks;
    private long _freshUntilTicks;

    // Advanced by every release: a lookup that began before a release cannot hold what it found.
    private int _releases;
    private int _spellings;

    public string Key { get; } = key;

    public CachePolicy Policy { get; } = policy;

    public RouteCacheCounters Counters { get; } = counters;

    /// <summary>
    /// The held answer, unless there is none or it is due for a lookup at <paramref name="now"/>. <paramref name="releases"/>
    /// is what <see cref="Hold"/> needs to know whether the target was released since.
    /// </summary>
    public bool TryGetHeld(DateTimeOffset now, out HeldAnswer held, out int releases)
    {
        releases = Volatile.Read(ref _releases);
        var version = Volatile.Read(ref _version);
        var entry = Volatile.Read(ref _entry);
        if ((version & 1) != 0 || entry is null || now.UtcTicks >= Volatile.Read(ref _recheckAt))
        {
            held = default;
            return false;
        }

        held = new HeldAnswer(
            entry, Volatile.Read(ref _statusCode), Volatile.Read(ref _headers), Volatile.Read(ref _body), Volatile.Read(ref _ageBaseTicks),
            Volatile.Read(ref _freshUntilTicks));
        return Volatile.Read(ref _version) == version;
    }

    /// <summary>Holds <paramref name="entry"/>, found in the cache at <paramref name="now"/>, unless the target was released since <see cref="TryGetHeld"/> said <paramref name="releases"/>.</summary>
    public void Hold(int releases, CachedResponse entry, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_writing)
        {
            if (_releases != releases)
            {
                return;
            }

            Interlocked.Increment(ref _version);
            _entry = entry;
            _recheckAt = (now + RecheckInterval).UtcTicks;
            _statusCode = entry.StatusCode;
            _headers = entry.Headers;
            _body = entry.Body;
            _ageBaseTicks = Freshness.AgeBase(entry).UtcTicks;
            _freshUntilTicks = Freshness.FreshUntil(entry, Policy).UtcTicks;
            Interlocked.Increment(ref _version);
        }
    }

    /// <summary>Lets go of the held answer (its key changed in the cache), and of what was copied from it.</summary>
    public void Release()
    {
        lock (_writing)
        {
            Interlocked.Increment(ref _version);
            _entry = null;
            _recheckAt = 0;
            _headers = [];
            _body = [];
            _releases++;
            Interlocked.Increment(ref _version);
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

/// <summary>
/// A held answer, with what a plain hit needs of it copied when it was held (its status, headers and body; when its age was
/// zero and until when it is fresh, by <see cref="Freshness"/>), so that a hit need not read the entry itself.
/// </summary>
internal readonly struct HeldAnswer(CachedResponse entry, int statusCode, ResponseHeader[] headers, byte[] body, long ageBaseTicks, long freshUntilTicks)
{
    public CachedResponse Entry { get; } = entry;

    public int StatusCode { get; } = statusCode;

    public ResponseHeader[] Headers { get; } = headers;

    public byte[] Body { get; } = body;

    /// <summary>How long it is fresh for from when its age was zero: <see cref="Freshness.Lifetime"/>.</summary>
    public TimeSpan Lifetime => TimeSpan.FromTicks(freshUntilTicks - ageBaseTicks);

    /// <summary>Whether it is fresh at <paramref name="now"/>: what <see cref="Freshness.Of"/> says of the entry.</summary>
    public bool IsFreshAt(DateTimeOffset now) => now.UtcTicks <= freshUntilTicks;

    public TimeSpan AgeAt(DateTimeOffset now) => TimeSpan.FromTicks(now.UtcTicks - ageBaseTicks);
}

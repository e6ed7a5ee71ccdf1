using EnrichProxy.Caching.Http;

namespace EnrichProxy.Caching;

/// <summary>What a found entry may be used for at its age.</summary>
internal enum EntryState
{
    /// <summary>Within the policy's TTL: a HIT.</summary>
    Fresh,

    /// <summary>Past the TTL, within stale-while-revalidate: answered STALE at once while one refresh runs.</summary>
    Revalidate,

    /// <summary>
    /// Past both: found only because fail-safe keeps it after a failed fill, for a throttle period in which
    /// the upstream is left alone. Answered STALE, without a refresh.
    /// </summary>
    StaleAfterFailure,

    /// <summary>
    /// Never a stale answer: a "not found" past the policy's <c>NegativeTtl</c> (the item may exist by now), or an answer of an
    /// origin-driven policy past the stale windows its origin allowed (none for <c>must-revalidate</c>).
    /// </summary>
    Expired,
}

/// <summary>The one rule of HIT versus STALE, for the full read and the fast path alike.</summary>
internal static class Freshness
{
    /// <summary>How long <paramref name="entry"/> is fresh for, from when its age was zero (<see cref="AgeBase"/>): its <c>Cache-Status</c> ttl is this less its age.</summary>
    public static TimeSpan Lifetime(CachedResponse entry, CachePolicy policy)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(policy);
        var bound = entry.IsNotFound ? policy.NegativeTtl : policy.Ttl;
        // An origin's lifetime is bounded again by the policy as it is now: a TTL shrunk since the entry was stored applies to it too.
        return entry.Origin is { } origin ? Min(origin.Lifetime, bound) : bound;
    }

    /// <summary>When <paramref name="entry"/>'s age was zero: when it was stored, less the age its origin said it had then.</summary>
    public static DateTimeOffset AgeBase(CachedResponse entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return entry.Origin is { } origin ? entry.StoredAt - origin.InitialAge : entry.StoredAt;
    }

    /// <summary>
    /// The last instant at which <see cref="Of"/> says <paramref name="entry"/> is <see cref="EntryState.Fresh"/>: in every case
    /// it is fresh while its age is at most its <see cref="Lifetime"/>.
    /// </summary>
    public static DateTimeOffset FreshUntil(CachedResponse entry, CachePolicy policy)
    {
        var ageBase = AgeBase(entry);
        var lifetime = Lifetime(entry, policy);
        return lifetime >= DateTimeOffset.MaxValue - ageBase ? DateTimeOffset.MaxValue : ageBase + lifetime;
    }

    public static EntryState Of(CachedResponse entry, CachePolicy policy, DateTimeOffset now, out TimeSpan age)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(policy);
        age = entry.AgeAt(now);
        if (entry.Origin is { } origin)
        {
            return OfOrigin(origin, Lifetime(entry, policy), age);
        }

        if (entry.IsNotFound)
        {
            return age <= policy.NegativeTtl ? EntryState.Fresh : EntryState.Expired;
        }

        return age <= policy.Ttl ? EntryState.Fresh
            : age <= policy.Ttl + policy.StaleWhileRevalidate ? EntryState.Revalidate
            : EntryState.StaleAfterFailure;
    }

    // The windows the origin gave (bounded by the policy when stored); past them, or at once for must-revalidate, the entry
    // is never answered stale. Its validators still serve the fill's conditional request while the entry is kept.
    private static EntryState OfOrigin(OriginFreshness origin, TimeSpan lifetime, TimeSpan age) =>
        age <= lifetime ? EntryState.Fresh
            : age <= lifetime + origin.StaleWhileRevalidate ? EntryState.Revalidate
            : age <= lifetime + origin.StaleIfError ? EntryState.StaleAfterFailure
            : EntryState.Expired;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}

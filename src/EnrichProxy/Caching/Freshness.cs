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

    /// <summary>A "not found" past the policy's <c>NegativeTtl</c>: as if nothing were cached, never a stale answer (the item may exist by now).</summary>
    Expired,
}

/// <summary>The one rule of HIT versus STALE, for the full read and the fast path alike.</summary>
internal static class Freshness
{
    public static EntryState Of(CachedResponse entry, CachePolicy policy, DateTimeOffset now, out TimeSpan age)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(policy);
        age = entry.AgeAt(now);
        if (entry.IsNotFound)
        {
            return age <= policy.NegativeTtl ? EntryState.Fresh : EntryState.Expired;
        }

        return age <= policy.Ttl ? EntryState.Fresh
            : age <= policy.Ttl + policy.StaleWhileRevalidate ? EntryState.Revalidate
            : EntryState.StaleAfterFailure;
    }
}

namespace EnrichProxy.Caching;

/// <summary>How an answer of a cached route was produced; the value of <c>X-Cache</c>.</summary>
internal enum CacheResult
{
    /// <summary>Fresh from the cache.</summary>
    Hit,

    /// <summary>Fetched from the upstream for this request (or for a concurrent one it waited for).</summary>
    Miss,

    /// <summary>From the cache past its TTL: while it is being revalidated, or because the upstream failed.</summary>
    Stale,

    /// <summary>The cache was not used (not GET/HEAD, a private answer, a body too large, an unverified client).</summary>
    Bypass,
}

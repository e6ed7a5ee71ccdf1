using EnrichProxy.Upstreams;

namespace EnrichProxy.Caching;

/// <summary>Why a read got a stale answer.</summary>
internal enum StaleReason
{
    /// <summary>Within stale-while-revalidate: one refresh is on its way in the background.</summary>
    Revalidating,

    /// <summary>The upstream failed a moment ago; it is left alone for fail-safe's throttle period.</summary>
    UpstreamFailing,

    /// <summary>This read's fill failed (or the upstream was refused), and fail-safe fell back on the entry.</summary>
    UpstreamFailed,

    /// <summary>The fill is slower than the policy's soft timeout; it goes on in the background.</summary>
    SoftTimeout,
}

/// <summary>Why a read is not answered from the cache at all.</summary>
internal enum ForwardReason
{
    /// <summary>The caller's credentials keep it out of the cache (an Arr request without a key).</summary>
    NotCacheable,

    /// <summary>The answers of this key are larger than the policy keeps.</summary>
    TooLarge,

    /// <summary>The answer of the fill this read joined belonged to the request that started it.</summary>
    NotShared,
}

/// <summary>
/// The one result of a read through the cache (<see cref="ReadThroughCache.ReadAsync"/>), which the
/// middleware, the enrichment tiers, prefetch and warm-up each translate into their own answers.
/// </summary>
internal abstract record ReadResult
{
    private ReadResult()
    {
    }

    /// <summary>Whether the read waited for a fill another read started.</summary>
    public bool Coalesced { get; init; }

    /// <summary>The answer for this read's caller (a hit, stale, filled or private answer), or null when the cache has none to give.</summary>
    public virtual CachedResponse? Response => null;

    /// <summary>A fresh entry.</summary>
    public sealed record Hit(CachedResponse Entry, TimeSpan Age) : ReadResult
    {
        public override CachedResponse Response => Entry;
    }

    /// <summary>An entry past its TTL, and why it answers.</summary>
    public sealed record Stale(CachedResponse Entry, TimeSpan Age, StaleReason Reason) : ReadResult
    {
        public override CachedResponse Response => Entry;
    }

    /// <summary>Fetched from the upstream for this read (or one it joined), or stored by another fill it waited for (<paramref name="Fetch"/> null).</summary>
    public sealed record Filled(CachedResponse Entry, TimeSpan Age, FetchReport? Fetch = null) : ReadResult
    {
        public override CachedResponse Response => Entry;
    }

    /// <summary>The cache cannot answer: the caller asks the upstream itself (a client's request is forwarded, streaming).</summary>
    public sealed record Forward(ForwardReason Reason) : ReadResult;

    /// <summary>An answer that belongs to this read's caller alone (<c>Set-Cookie</c>, <c>private</c>): never stored, never given to a joined read.</summary>
    public sealed record Private(CachedResponse Answer) : ReadResult
    {
        public override CachedResponse Response => Answer;
    }

    /// <summary>No answer from the upstream and nothing stale to give instead.</summary>
    public sealed record Failed(UpstreamProblem Problem) : ReadResult;
}

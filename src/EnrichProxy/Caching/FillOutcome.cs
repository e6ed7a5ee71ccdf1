using EnrichProxy.Upstreams;

namespace EnrichProxy.Caching;

/// <summary>Where the answer of a fill came from.</summary>
internal enum FillSource
{
    /// <summary>The upstream, for this fill.</summary>
    Fetched,

    /// <summary>The cache: another fill (on this instance or another) stored it while this one waited its turn.</summary>
    Stored,

    /// <summary>The stale entry fail-safe kept, because the fetch failed.</summary>
    StaleAfterFailure,

    /// <summary>The stale entry fail-safe kept, because the fetch passed the soft timeout (it goes on in the background).</summary>
    StaleAfterSoftTimeout,
}

/// <summary>What a fill's upstream request did, for <c>Cache-Status</c>.</summary>
/// <param name="UpstreamStatus">The status the upstream answered.</param>
/// <param name="Stored">Whether the answer was stored.</param>
/// <param name="ReplacedStale">Whether a stale entry was in place (and was replaced, or revalidated).</param>
internal sealed record FetchReport(int UpstreamStatus, bool Stored, bool ReplacedStale);

/// <summary>The result of one fill, shared by every read that waited for it.</summary>
internal abstract record FillOutcome
{
    private FillOutcome()
    {
    }

    /// <summary>
    /// An answer for every waiter; with what the upstream did when it was <see cref="FillSource.Fetched"/>. An answer that
    /// varies (<paramref name="VariesBy"/>) is the variant of the read that started the fill, stored under <paramref name="VariantKey"/>;
    /// a waiter whose own variant differs reads that one instead. <paramref name="Entry"/> may also be a variants marker
    /// (<see cref="CachedResponse.IsVariants"/>) another fill stored, or fail-safe kept.
    /// </summary>
    public sealed record Answer(CachedResponse Entry, FillSource Source, FetchReport? Fetch = null, string[]? VariesBy = null, string? VariantKey = null) : FillOutcome;

    /// <summary>Larger than the policy keeps: a reminder is stored, and each waiter asks the upstream itself.</summary>
    public sealed record TooLarge : FillOutcome;

    /// <summary>An answer for the read that started the fill only; never stored.</summary>
    public sealed record NotShared(CachedResponse PrivateAnswer) : FillOutcome;

    /// <summary>No answer, and nothing stale.</summary>
    public sealed record Failed(UpstreamProblem Problem) : FillOutcome;
}

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

/// <summary>The result of one fill, shared by every read that waited for it.</summary>
internal abstract record FillOutcome
{
    private FillOutcome()
    {
    }

    /// <summary>An answer for every waiter.</summary>
    public sealed record Answer(CachedResponse Entry, FillSource Source) : FillOutcome;

    /// <summary>Larger than the policy keeps: a reminder is stored, and each waiter asks the upstream itself.</summary>
    public sealed record TooLarge : FillOutcome;

    /// <summary>An answer for the read that started the fill only; never stored.</summary>
    public sealed record NotShared(CachedResponse PrivateAnswer) : FillOutcome;

    /// <summary>No answer, and nothing stale.</summary>
    public sealed record Failed(UpstreamProblem Problem) : FillOutcome;
}

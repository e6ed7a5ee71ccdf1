namespace EnrichProxy.Upstreams.Resilience;

/// <summary>Why EnrichProxy did not send a request to its upstream.</summary>
internal enum RefusalReason
{
    /// <summary>No rate-limit permit within the wait allowed, or too many requests already waiting.</summary>
    RateLimited,

    /// <summary>The upstream asked for a pause (429/503 with <c>Retry-After</c>, or its rate-limit headers).</summary>
    Paused,

    /// <summary>The cluster's circuit breaker is open after consecutive failures.</summary>
    CircuitOpen,
}

/// <summary>
/// The request was not sent upstream, to keep within what the upstream allows. Cached routes answer
/// stale instead when they can; otherwise the client gets a 503 with <see cref="RetryAfter"/>.
/// </summary>
internal sealed class UpstreamRefusedException : Exception
{
    public UpstreamRefusedException(string clusterId, RefusalReason reason, TimeSpan retryAfter)
        : base($"Request to cluster '{clusterId}' not sent: {reason}; retry after {retryAfter}.")
    {
        ClusterId = clusterId;
        Reason = reason;
        RetryAfter = retryAfter;
    }

    public string ClusterId { get; }

    public RefusalReason Reason { get; }

    public TimeSpan RetryAfter { get; }

    /// <summary>The title of the 503 problem a client gets when nothing stale can answer instead.</summary>
    public const string ProblemTitle = "Upstream busy";

    /// <summary>Why the proxy did not ask the upstream, in words for the client (no secrets, no URL).</summary>
    public string ProblemDetail => Reason switch
    {
        RefusalReason.RateLimited => "The upstream's rate limit is used up and nothing stale is cached; retry after the time given.",
        RefusalReason.Paused => "The upstream asked for a pause and nothing stale is cached; retry after the time given.",
        _ => "The upstream has been failing, so it is left alone for a while, and nothing stale is cached; retry after the time given.",
    };
}

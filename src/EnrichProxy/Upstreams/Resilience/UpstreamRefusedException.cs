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

    /// <summary>Whole seconds for a <c>Retry-After</c> header, at least 1.</summary>
    public int RetryAfterSeconds => Math.Max(1, (int)Math.Ceiling(RetryAfter.TotalSeconds));
}

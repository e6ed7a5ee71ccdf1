using EnrichProxy.Upstreams.Resilience;

namespace EnrichProxy.Upstreams;

/// <summary>Fetches one request from its upstream: the seam between the cache and the network.</summary>
internal interface IUpstreamFetcher
{
    /// <summary>Fetches the answer, reading a body of at most <paramref name="maxBodyBytes"/> (a larger one gives an answer without a body).</summary>
    /// <param name="request">What to fetch.</param>
    /// <param name="maxBodyBytes">The largest body read.</param>
    /// <param name="background">Marks work no client waits for (a refresh, a prefetch), which takes rate-limit permits after client requests; null for a client's.</param>
    /// <param name="cancellationToken">Cancels the fetch.</param>
    /// <exception cref="UpstreamRefusedException">Not sent: paused, rate-limited or circuit open.</exception>
    /// <exception cref="TimeoutException">No answer in time.</exception>
    /// <exception cref="HttpRequestException">The upstream could not be reached.</exception>
    /// <exception cref="UpstreamUnavailableException">No route, cluster or destination to ask, or a transform refused.</exception>
    Task<UpstreamAnswer> FetchAsync(UpstreamRequest request, long maxBodyBytes, BackgroundPriority? background, CancellationToken cancellationToken);

    /// <summary>
    /// Whether the upstream of <paramref name="routeId"/> is known to be failing now: it asked for a pause, or every one of
    /// its destinations has its circuit open (not yet due for a probe) or refused a connection moments ago.
    /// </summary>
    bool IsKnownFailing(string routeId);
}

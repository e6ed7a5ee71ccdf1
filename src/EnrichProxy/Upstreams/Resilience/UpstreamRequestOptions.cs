namespace EnrichProxy.Upstreams.Resilience;

/// <summary>What the resilience pipeline learns about a request from the code that sends it.</summary>
internal static class UpstreamRequestOptions
{
    private static readonly HttpRequestOptionsKey<BackgroundPriority> BackgroundKey = new("EnrichProxy.BackgroundPriority");

    /// <summary>Marks work no client waits for (refreshes, prefetch, warm-up): it takes rate-limit permits after client requests while <paramref name="priority"/> says so.</summary>
    public static void MarkBackground(HttpRequestMessage request, BackgroundPriority priority)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Options.Set(BackgroundKey, priority);
    }

    private static readonly HttpRequestOptionsKey<bool> StaleFallbackKey = new("EnrichProxy.StaleFallback");

    /// <summary>Marks a request with a stale answer standing by: it is not retried (<see cref="UpstreamRequest.HasStaleFallback"/>).</summary>
    public static void MarkStaleFallback(HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Options.Set(StaleFallbackKey, true);
    }

    /// <summary>Whether a stale answer stands by for the request.</summary>
    public static bool HasStaleFallback(HttpRequestMessage request) =>
        request.Options.TryGetValue(StaleFallbackKey, out var fallback) && fallback;

    private static readonly HttpRequestOptionsKey<bool> ClientCredentialsKey = new("EnrichProxy.ClientCredentials");

    /// <summary>
    /// Marks a request that carries a client's own credentials (a key or session of theirs, not the proxy's): its
    /// answers say something of that client, not of the upstream, and steer neither the cluster's pause nor its circuit.
    /// </summary>
    public static void MarkClientCredentials(HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Options.Set(ClientCredentialsKey, true);
    }

    /// <summary>Whether the request carries a client's own credentials (<see cref="MarkClientCredentials"/>).</summary>
    public static bool CarriesClientCredentials(HttpRequestMessage request) =>
        request.Options.TryGetValue(ClientCredentialsKey, out var client) && client;

    /// <summary>The request's background mark, or null for a client's request.</summary>
    public static BackgroundPriority? Background(HttpRequestMessage request) =>
        request.Options.TryGetValue(BackgroundKey, out var priority) ? priority : null;
}

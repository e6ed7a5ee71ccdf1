namespace EnrichProxy.Telemetry;

/// <summary>
/// The names under which EnrichProxy publishes telemetry. Public and stable: dashboards and alerts
/// depend on them (README "Metrics").
/// </summary>
public static class EnrichProxyDiagnostics
{
    /// <summary>The <see cref="System.Diagnostics.Metrics.Meter"/> of EnrichProxy's own metrics.</summary>
    public const string MeterName = "EnrichProxy";

    /// <summary>Answers of cached routes, tagged <c>route</c> and <c>result</c> (hit, miss, stale, bypass). Prometheus: <c>enrichproxy_cache_requests_total</c>.</summary>
    public const string CacheRequests = "enrichproxy.cache.requests";

    /// <summary>Requests that waited for a fill another request had started, tagged <c>route</c>. Prometheus: <c>enrichproxy_cache_coalesced_total</c>.</summary>
    public const string CacheCoalesced = "enrichproxy.cache.coalesced";

    /// <summary>Upstream requests not sent, tagged <c>cluster</c> and <c>reason</c> (rate_limited, paused, circuit_open). Prometheus: <c>enrichproxy_upstream_refused_total</c>.</summary>
    public const string UpstreamRefused = "enrichproxy.upstream.refused";

    /// <summary>Upstream requests that waited for a rate-limit permit, tagged <c>cluster</c>. Prometheus: <c>enrichproxy_upstream_rate_limit_waits_total</c>.</summary>
    public const string UpstreamRateLimitWaits = "enrichproxy.upstream.rate_limit.waits";

    /// <summary>Retries of upstream requests, tagged <c>cluster</c>. Prometheus: <c>enrichproxy_upstream_retries_total</c>.</summary>
    public const string UpstreamRetries = "enrichproxy.upstream.retries";

    /// <summary>Circuit breaker state per <c>cluster</c>: 0 closed, 1 open, 2 half-open. Prometheus: <c>enrichproxy_upstream_circuit_state</c>.</summary>
    public const string UpstreamCircuitState = "enrichproxy.upstream.circuit.state";

    /// <summary>Whether a <c>cluster</c> is paused at its upstream's request: 1 paused, 0 not. Prometheus: <c>enrichproxy_upstream_paused</c>.</summary>
    public const string UpstreamPaused = "enrichproxy.upstream.paused";

    /// <summary>The cluster tag.</summary>
    public const string ClusterTag = "cluster";

    /// <summary>The refusal reason tag.</summary>
    public const string ReasonTag = "reason";

    /// <summary>The route tag.</summary>
    public const string RouteTag = "route";

    /// <summary>The cache result tag.</summary>
    public const string ResultTag = "result";
}

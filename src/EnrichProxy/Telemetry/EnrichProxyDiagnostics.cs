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

    /// <summary>The route tag.</summary>
    public const string RouteTag = "route";

    /// <summary>The cache result tag.</summary>
    public const string ResultTag = "result";
}

namespace EnrichProxy.Telemetry;

/// <summary>
/// The names under which EnrichProxy publishes telemetry. Public and stable: dashboards and alerts
/// depend on them (README "Metrics").
/// </summary>
public static class EnrichProxyDiagnostics
{
    /// <summary>The <see cref="System.Diagnostics.Metrics.Meter"/> of EnrichProxy's own metrics.</summary>
    public const string MeterName = "EnrichProxy";

    /// <summary>The <see cref="System.Diagnostics.ActivitySource"/> of EnrichProxy's own spans (cache lookup, fill, background jobs, admin).</summary>
    public const string ActivitySourceName = "EnrichProxy";

    /// <summary>Answers of cached routes, tagged <c>route</c> and <c>result</c> (hit, miss, stale, bypass). Prometheus: <c>enrichproxy_cache_requests_total</c>.</summary>
    public const string CacheRequests = "enrichproxy.cache.requests";

    /// <summary>Requests that waited for a fill another request had started, tagged <c>route</c>. Prometheus: <c>enrichproxy_cache_coalesced_total</c>.</summary>
    public const string CacheCoalesced = "enrichproxy.cache.coalesced";

    /// <summary>Upstream requests not sent, tagged <c>cluster</c> and <c>reason</c> (rate_limited, paused, circuit_open). Prometheus: <c>enrichproxy_upstream_refused_total</c>.</summary>
    public const string UpstreamRefused = "enrichproxy.upstream.refused";

    /// <summary>Client requests that waited for a rate-limit permit (background jobs wait by design and are not counted), tagged <c>cluster</c>. Prometheus: <c>enrichproxy_upstream_rate_limit_waits_total</c>.</summary>
    public const string UpstreamRateLimitWaits = "enrichproxy.upstream.rate_limit.waits";

    /// <summary>Retries of upstream requests, tagged <c>cluster</c>. Prometheus: <c>enrichproxy_upstream_retries_total</c>.</summary>
    public const string UpstreamRetries = "enrichproxy.upstream.retries";

    /// <summary>Circuit breaker state per <c>cluster</c> as requests meet it: 0 closed (a destination's circuit is), 1 open (every one is), 2 half-open. Prometheus: <c>enrichproxy_upstream_circuit_state</c>.</summary>
    public const string UpstreamCircuitState = "enrichproxy.upstream.circuit.state";

    /// <summary>Circuit breaker state per <c>cluster</c> and <c>destination</c>: 0 closed, 1 open, 2 half-open. Prometheus: <c>enrichproxy_upstream_destination_circuit_state</c>.</summary>
    public const string UpstreamDestinationCircuitState = "enrichproxy.upstream.destination.circuit.state";

    /// <summary>Upstream requests sent to a destination past the first of the failover order, tagged <c>cluster</c> and <c>destination</c> (where it went). Prometheus: <c>enrichproxy_upstream_failovers_total</c>.</summary>
    public const string UpstreamFailovers = "enrichproxy.upstream.failovers";

    /// <summary>Whether a <c>cluster</c> is paused at its upstream's request: 1 paused, 0 not. Prometheus: <c>enrichproxy_upstream_paused</c>.</summary>
    public const string UpstreamPaused = "enrichproxy.upstream.paused";

    /// <summary>Upstream requests sent (each attempt), tagged <c>cluster</c> and <c>status</c> (the HTTP status code, <c>timeout</c>, <c>error</c> or <c>cancelled</c>). Prometheus: <c>enrichproxy_upstream_requests_total</c>.</summary>
    public const string UpstreamRequests = "enrichproxy.upstream.requests";

    /// <summary>How long upstream attempts took, in seconds, tagged <c>cluster</c>. Prometheus: <c>enrichproxy_upstream_duration_seconds</c> (histogram).</summary>
    public const string UpstreamDuration = "enrichproxy.upstream.duration";

    /// <summary>Entries in the memory level (L1). Prometheus: <c>enrichproxy_cache_l1_entries</c>.</summary>
    public const string CacheL1Entries = "enrichproxy.cache.l1.entries";

    /// <summary>Estimated bytes held by the memory level (L1), the figure its size limit is checked against. Prometheus: <c>enrichproxy_cache_l1_size_bytes</c>.</summary>
    public const string CacheL1Size = "enrichproxy.cache.l1.size";

    /// <summary>Entries in the second level (L2), sampled. Prometheus: <c>enrichproxy_cache_l2_entries</c>.</summary>
    public const string CacheL2Entries = "enrichproxy.cache.l2.entries";

    /// <summary>Bytes of the second level's entries (L2), sampled. Prometheus: <c>enrichproxy_cache_l2_size_bytes</c>.</summary>
    public const string CacheL2Size = "enrichproxy.cache.l2.size";

    /// <summary>Failed operations on the second level, tagged <c>operation</c> (get, set, refresh, remove). Prometheus: <c>enrichproxy_cache_l2_errors_total</c>.</summary>
    public const string CacheL2Errors = "enrichproxy.cache.l2.errors";

    /// <summary>
    /// Conditional requests sent upstream for expired entries with a validator, tagged <c>route</c> and <c>result</c>
    /// (<c>not_modified</c>: a 304 refreshed the entry without a body; <c>modified</c>: a new answer came). Prometheus:
    /// <c>enrichproxy_cache_revalidations_total</c>.
    /// </summary>
    public const string CacheRevalidations = "enrichproxy.cache.revalidations";

    /// <summary>Purges applied by this instance, tagged <c>scope</c> (url, route, tag). Prometheus: <c>enrichproxy_cache_purges_total</c>.</summary>
    public const string CachePurges = "enrichproxy.cache.purges";

    /// <summary>Background jobs waiting for a worker, tagged <c>lane</c> (refresh, prefetch, warmup). Prometheus: <c>enrichproxy_queue_depth</c>.</summary>
    public const string QueueDepth = "enrichproxy.queue.depth";

    /// <summary>Background jobs running. Prometheus: <c>enrichproxy_queue_running</c>.</summary>
    public const string QueueRunning = "enrichproxy.queue.running";

    /// <summary>Background jobs finished, tagged <c>kind</c> (refresh, enrich, prefetch, warmup) and <c>result</c> (stored, cached, not_stored, failed, skipped, cancelled). Prometheus: <c>enrichproxy_queue_jobs_total</c>.</summary>
    public const string QueueJobs = "enrichproxy.queue.jobs";

    /// <summary>Background jobs not queued because the same job was already waiting or running, tagged <c>kind</c>. Prometheus: <c>enrichproxy_queue_deduplicated_total</c>.</summary>
    public const string QueueDeduplicated = "enrichproxy.queue.deduplicated";

    /// <summary>Background jobs dropped because their lane was full or the queue was shutting down, tagged <c>kind</c>. Prometheus: <c>enrichproxy_queue_dropped_total</c>.</summary>
    public const string QueueDropped = "enrichproxy.queue.dropped";

    /// <summary>How long background jobs waited for a worker, in seconds, tagged <c>kind</c>. Prometheus: <c>enrichproxy_queue_wait_seconds</c> (histogram).</summary>
    public const string QueueWait = "enrichproxy.queue.wait";

    /// <summary>How long background jobs ran, in seconds, tagged <c>kind</c>. Prometheus: <c>enrichproxy_queue_job_duration_seconds</c> (histogram).</summary>
    public const string QueueJobDuration = "enrichproxy.queue.job.duration";

    /// <summary>Items the current (or last) warm-up round found in the Arr libraries. Prometheus: <c>enrichproxy_warmup_items</c>.</summary>
    public const string WarmupItems = "enrichproxy.warmup.items";

    /// <summary>Items of the current (or last) warm-up round whose job has ended. Prometheus: <c>enrichproxy_warmup_done</c>.</summary>
    public const string WarmupDone = "enrichproxy.warmup.done";

    /// <summary>Requests that came through the forward proxy or the TLS front door for an intercepted host, tagged <c>host</c> and <c>result</c> (hit, miss, stale, bypass, or none for an answer that is not a cached route's). Prometheus: <c>enrichproxy_intercepted_requests_total</c>.</summary>
    public const string InterceptedRequests = "enrichproxy.intercepted.requests";

    /// <summary>Connections the forward proxy accepted after a CONNECT, tagged <c>kind</c> (tunnel: bytes passed untouched; intercepted: TLS terminated). Prometheus: <c>enrichproxy_forward_proxy_tunnels_total</c>.</summary>
    public const string ForwardProxyTunnels = "enrichproxy.forward_proxy.tunnels";

    /// <summary>Tunnels and intercepted connections open now. Prometheus: <c>enrichproxy_forward_proxy_tunnels_open</c>.</summary>
    public const string ForwardProxyTunnelsOpen = "enrichproxy.forward_proxy.tunnels.open";

    /// <summary>Bytes passed through untouched tunnels, tagged <c>direction</c> (sent: client to host; received: host to client). Prometheus: <c>enrichproxy_forward_proxy_tunnelled_bytes_total</c>.</summary>
    public const string ForwardProxyTunnelledBytes = "enrichproxy.forward_proxy.tunnelled";

    /// <summary>Forward-proxy and front-door requests refused, tagged <c>reason</c> (credentials, port, address, unresolvable, capacity, bad_request, misdirected). Prometheus: <c>enrichproxy_forward_proxy_refused_total</c>.</summary>
    public const string ForwardProxyRefused = "enrichproxy.forward_proxy.refused";

    /// <summary>Always 1, tagged <c>version</c>: which EnrichProxy answers. Prometheus: <c>enrichproxy_build_info</c>.</summary>
    public const string BuildInfo = "enrichproxy.build.info";

    /// <summary>The version tag of <see cref="BuildInfo"/>.</summary>
    public const string VersionTag = "version";

    /// <summary>The cluster tag.</summary>
    public const string ClusterTag = "cluster";

    /// <summary>The tag of a cluster's destination.</summary>
    public const string DestinationTag = "destination";

    /// <summary>The refusal reason tag.</summary>
    public const string ReasonTag = "reason";

    /// <summary>The route tag.</summary>
    public const string RouteTag = "route";

    /// <summary>The intercepted host tag.</summary>
    public const string HostTag = "host";

    /// <summary>The tunnel direction tag.</summary>
    public const string DirectionTag = "direction";

    /// <summary>The cache result tag; also the result of a background job.</summary>
    public const string ResultTag = "result";

    /// <summary>The upstream status tag.</summary>
    public const string StatusTag = "status";

    /// <summary>The L2 operation tag.</summary>
    public const string OperationTag = "operation";

    /// <summary>The purge scope tag.</summary>
    public const string ScopeTag = "scope";

    /// <summary>The background queue lane tag.</summary>
    public const string LaneTag = "lane";

    /// <summary>The background job kind tag.</summary>
    public const string KindTag = "kind";
}

using System.Diagnostics;

namespace EnrichProxy.Telemetry;

/// <summary>
/// EnrichProxy's own spans and their attribute names. Public and stable, like the metric names. A span
/// is started only while a tracer listens (OTLP configured), so the hit path pays nothing otherwise.
/// </summary>
public static class EnrichProxySpans
{
    /// <summary>A request of a cached route: looked up, and answered from the cache or a fill.</summary>
    public const string CacheLookup = "enrichproxy.cache.lookup";

    /// <summary>One upstream fetch that fills a key, shared by every request waiting for it.</summary>
    public const string CacheFill = "enrichproxy.cache.fill";

    /// <summary>A background job: a refresh, a document finished in the background, a prefetch or a warm-up item.</summary>
    public const string QueueJob = "enrichproxy.queue.job";

    /// <summary>A purge through the admin API.</summary>
    public const string AdminPurge = "enrichproxy.admin.purge";

    /// <summary>The YARP route id.</summary>
    public const string RouteAttribute = "enrichproxy.route";

    /// <summary>The cache policy name.</summary>
    public const string PolicyAttribute = "enrichproxy.policy";

    /// <summary>hit, miss, stale or bypass.</summary>
    public const string CacheResultAttribute = "enrichproxy.cache.result";

    /// <summary>The cluster id of the upstream.</summary>
    public const string UpstreamAttribute = "enrichproxy.upstream";

    /// <summary>Whether the request waited for a fill another request started.</summary>
    public const string CoalescedAttribute = "enrichproxy.coalesced";

    /// <summary>The kind of a background job (refresh, enrich, prefetch, warmup).</summary>
    public const string JobKindAttribute = "enrichproxy.job.kind";

    /// <summary>The scope of a purge (url, route, tag).</summary>
    public const string PurgeScopeAttribute = "enrichproxy.purge.scope";

    internal static readonly ActivitySource Source = new(EnrichProxyDiagnostics.ActivitySourceName);
}

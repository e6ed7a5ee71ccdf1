using EnrichProxy.Background;
using EnrichProxy.Caching;
using EnrichProxy.Caching.Purging;
using EnrichProxy.Caching.Storage;
using EnrichProxy.Configuration;
using EnrichProxy.Interception;
using EnrichProxy.Telemetry;
using EnrichProxy.Upstreams.Resilience;
using EnrichProxy.Warmup;
using Microsoft.Extensions.Options;

namespace EnrichProxy.Admin;

/// <summary><c>GET /admin/stats</c>: per-route answers, upstream states, cache levels, purges and the background queue.</summary>
internal static class StatsEndpoint
{
    // Enough to see what was purged lately; the ledger itself can hold thousands.
    private const int RecentPurges = 10;

    public static IResult Handle(
        HttpContext context, CacheMetrics cacheMetrics, UpstreamResilienceRegistry upstreams, MemoryLevel memory, CacheLevelMetrics levels,
        Purger purger, HotTargets hotTargets, QueueMetrics queue, BackgroundQueue background, WarmupProgress warmup, InterceptionMetrics interception,
        InstanceInfo instance, ConfigurationStatus configuration, TimeProvider time, IOptions<EnrichProxyOptions> options)
    {
        var routeCounts = cacheMetrics.Routes.ToList();
        var routes = routeCounts.OrderBy(r => r.RouteId, StringComparer.Ordinal).ToDictionary(
            r => r.RouteId,
            r => new
            {
                hits = r.Hits,
                misses = r.Misses,
                stale = r.Stale,
                bypass = r.Bypassed,
                coalesced = r.CoalescedWaiters,
                hitRatio = Ratio(r.Hits, r.Hits + r.Misses + r.Stale + r.Bypassed),
            });
        var clusterList = upstreams.Clusters.OrderBy(c => c.ClusterId, StringComparer.Ordinal).ToList();
        var clusters = clusterList.ToDictionary(
            c => c.ClusterId,
            c => new
            {
                circuit = c.BreakerState.Describe(),
                pausedForSeconds = c.Pause.Remaining is { } left ? Math.Ceiling(left.TotalSeconds) : (double?)null,
                pauseReason = c.Pause.Remaining is null ? null : c.Pause.Reason,
                rateLimitWaits = c.Report.RateLimitWaits,
                lastFailure = c.Report.LastFailure is { } failure ? new { what = failure.What, at = failure.At } : null,
                // In failover order when there is one.
                destinations = c.Destinations.Select(d => new { name = d.Id, circuit = d.Circuit.Breaker.State.Describe() }),
            });
        var (entries, bytes) = memory.Measure();
        var l2 = levels.SecondLevel;
        return TypedResults.Json(new
        {
            // When these figures were taken: the status page says how old what it shows is.
            takenAt = time.GetUtcNow(),
            // Whether this key may also act (purge, warm-up, refresh): the status page shows its actions only then.
            access = AdminKeyFilter.AccessOf(context) == AdminAccess.Admin ? "admin" : "read-only",
            instance = new
            {
                version = InstanceInfo.Version,
                startedAt = instance.StartedAt,
                environment = instance.Environment,
                configDirectory = instance.ConfigDirectory,
                dataDirectory = instance.DataDirectory,
            },
            configuration = new
            {
                acceptedAt = configuration.AcceptedAt,
                lastCheck = configuration.LastCheck is { } check
                    ? new { at = check.At, accepted = check.Accepted, errors = check.Errors, needsRestart = check.NeedsRestart }
                    : null,
            },
            totals = Totals(routeCounts, clusterList),
            routes,
            upstreams = clusters,
            cache = new
            {
                l1 = new { entries, bytes, limitBytes = options.Value.Cache.MemorySizeLimitBytes },
                l2 = new { kind = levels.SecondLevelKind, entries = l2?.Count.Entries, bytes = l2?.Count.Bytes, sampledAt = l2?.TakenAt },
                purges = new
                {
                    markers = purger.MarkerCount,
                    reachOtherInstances = purger.IsListening,
                    recent = purger.Recent(RecentPurges).Select(m => new { scope = PurgeMarker.ScopeName(m.Scope), value = m.Value, at = m.PurgedAt }),
                },
                // The targets the fast path answers before routing, and about what they take.
                fastPath = new { targets = hotTargets.Count, bytes = hotTargets.Bytes, limitBytes = HotTargets.MaxBytes },
            },
            forwardProxy = ForwardProxy(interception, options.Value),
            queue = new
            {
                depth = queue.Waiting,
                waiting = Enum.GetValues<QueueLane>().ToDictionary(QueueMetrics.LaneName, queue.WaitingIn),
                running = queue.Running,
                capacity = background.Capacity,
                workers = background.Workers,
                finished = queue.Finished.GroupBy(f => f.Key.Kind).ToDictionary(
                    kind => JobLabels.Of(kind.Key), kind => kind.ToDictionary(f => JobLabels.Of(f.Key.Result), f => f.Value)),
                deduplicated = queue.Deduplicated.ToDictionary(d => JobLabels.Of(d.Key), d => d.Value),
                dropped = queue.Dropped.ToDictionary(d => JobLabels.Of(d.Key), d => d.Value),
                warmup = new
                {
                    enabled = options.Value.Warmup.Enabled,
                    running = warmup.IsRunning,
                    items = warmup.Items,
                    done = warmup.Done,
                    results = warmup.Results.ToDictionary(r => JobLabels.Of(r.Key), r => r.Value),
                    startedAt = warmup.StartedAt,
                    finishedAt = warmup.FinishedAt,
                    lastFailure = warmup.LastFailure is { } failed ? new { what = failed.What, at = failed.At } : null,
                },
            },
        });
    }

    // The whole instance at a glance, for dashboards (a Homepage widget reads these): every answer of a cached route
    // and how its upstreams stand.
    private static object Totals(List<RouteCacheCounters> routes, List<ClusterResilience> clusters)
    {
        long hits = routes.Sum(r => r.Hits), misses = routes.Sum(r => r.Misses), stale = routes.Sum(r => r.Stale), bypass = routes.Sum(r => r.Bypassed);
        var requests = hits + misses + stale + bypass;
        return new
        {
            requests,
            hits,
            misses,
            stale,
            bypass,
            coalesced = routes.Sum(r => r.CoalescedWaiters),
            hitRatio = Ratio(hits, requests),
            upstreams = new
            {
                total = clusters.Count,
                closed = clusters.Count(c => c.BreakerState == CircuitState.Closed),
                halfOpen = clusters.Count(c => c.BreakerState == CircuitState.HalfOpen),
                open = clusters.Count(c => c.BreakerState == CircuitState.Open),
                paused = clusters.Count(c => c.Pause.Remaining is not null),
            },
        };
    }

    // Requests and hits per intercepted host, tunnels and refusals of the forward proxy and the TLS front door.
    private static object ForwardProxy(InterceptionMetrics metrics, EnrichProxyOptions options) => new
    {
        enabled = options.ForwardProxy.Enabled,
        frontDoorEnabled = options.TlsFrontDoor.Enabled,
        tunnels = new
        {
            open = metrics.Open,
            opened = metrics.TunnelsOpened,
            intercepted = metrics.InterceptedConnections,
            bytesSent = metrics.BytesSent,
            bytesReceived = metrics.BytesReceived,
        },
        refused = metrics.Refusals.OrderBy(r => r.Reason).ToDictionary(r => InterceptionMetrics.Label(r.Reason), r => r.Count),
        hosts = metrics.Requests.GroupBy(r => r.Host).OrderBy(host => host.Key, StringComparer.Ordinal).ToDictionary(
            host => host.Key,
            host =>
            {
                var requests = host.Sum(r => r.Count);
                var hits = host.Where(r => r.Result == "hit").Sum(r => r.Count);
                return new { requests, hits, stale = host.Where(r => r.Result == "stale").Sum(r => r.Count), hitRatio = Ratio(hits, requests) };
            }),
    };

    // Fresh hits out of all answers of the route, as the dashboard's hit ratio.
    private static double? Ratio(long part, long whole) => whole == 0 ? null : Math.Round((double)part / whole, 4);
}

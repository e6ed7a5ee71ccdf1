using System.Globalization;
using EnrichProxy.Health;
using EnrichProxy.Upstreams.Resilience;
using EnrichProxy.Warmup;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EnrichProxy.Notifications;

/// <summary>
/// What notifications watch, read now: each upstream's circuit and pause, the second cache level and the backplane
/// (through their readiness checks, each bounded to well under a second), and the warm-up's failures.
/// </summary>
internal sealed class WatchedConditions(UpstreamResilienceRegistry upstreams, HealthCheckService health, WarmupProgress warmup)
{
    public async Task<IReadOnlyList<Condition>> ReadAsync(CancellationToken cancellationToken)
    {
        var conditions = new List<Condition>();
        foreach (var cluster in upstreams.Clusters)
        {
            conditions.Add(Circuit(cluster));
            conditions.Add(Pause(cluster));
        }

        var report = await health.CheckHealthAsync(check => check.Name is CacheStorageHealthCheck.Name or BackplaneHealthCheck.Name, cancellationToken);
        if (report.Entries.TryGetValue(CacheStorageHealthCheck.Name, out var l2))
        {
            conditions.Add(l2.Status == HealthStatus.Healthy
                ? new Condition("l2", "back", "back", "l2.back", NotificationSeverity.Recovered, "Cache storage is back",
                    "The second cache level answers again.")
                : new Condition("l2", "lost", "back", "l2.lost", NotificationSeverity.Failure, "Cache storage lost",
                    $"{l2.Description} Answers come from memory and the upstreams until it is back."));
        }

        if (report.Entries.TryGetValue(BackplaneHealthCheck.Name, out var backplane))
        {
            conditions.Add(backplane.Status == HealthStatus.Healthy
                ? new Condition("backplane", "connected", "connected", "backplane.back", NotificationSeverity.Recovered, "Backplane is back",
                    "Connected to the Redis backplane again: other instances' changes and purges reach this one.")
                : new Condition("backplane", "lost", "connected", "backplane.lost", NotificationSeverity.Warning, "Backplane lost",
                    $"{backplane.Description} Purges made meanwhile are caught up when it is back."));
        }

        var failures = warmup.Failures;
        conditions.Add(new Condition("warmup", failures.ToString(CultureInfo.InvariantCulture), "0", "warmup.failed", NotificationSeverity.Warning,
            "Warm-up failed", $"The warm-up failed: {warmup.LastFailure?.What ?? "see the log"}. The next round tries again."));
        return conditions;
    }

    private static Condition Circuit(ClusterResilience cluster)
    {
        var id = cluster.ClusterId;
        if (cluster.BreakerState == CircuitState.Closed)
        {
            return new Condition($"upstream {id}", "closed", "closed", "upstream.circuit.closed", NotificationSeverity.Recovered, $"{id} is back",
                $"The circuit of upstream {id} closed: it answers again.");
        }

        var failure = cluster.Report.LastFailure is { } last ? $" (last failure: {last.What})" : string.Empty;
        return new Condition($"upstream {id}", "open", "closed", "upstream.circuit.opened", NotificationSeverity.Failure, $"{id} is failing",
            $"The circuit of upstream {id} opened after failures in a row{failure}. Cached answers are served stale where the policy allows; the rest fail fast until it answers again.");
    }

    private static Condition Pause(ClusterResilience cluster)
    {
        var id = cluster.ClusterId;
        return cluster.Pause.Remaining is { } left
            ? new Condition($"pause {id}", "paused", "none", "upstream.paused", NotificationSeverity.Warning, $"{id} asked for a pause",
                $"Upstream {id} {cluster.Pause.Reason ?? "asked for a pause"}: nothing is sent to it for {Math.Ceiling(left.TotalSeconds)} s. Cached answers are served meanwhile.")
            : new Condition($"pause {id}", "none", "none", "upstream.pause.ended", NotificationSeverity.Recovered, $"{id} pause ended",
                $"Upstream {id} is no longer paused.", Silent: true);
    }
}

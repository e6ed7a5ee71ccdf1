using EnrichProxy.Upstreams.Resilience;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EnrichProxy.Health;

/// <summary>
/// The circuit breaker and pause of every cluster, and of each destination where a cluster has several.
/// An open circuit degrades readiness without failing it: the proxy still answers from its cache (or a
/// destination further down the failover order), which is what it is for.
/// </summary>
internal sealed class UpstreamCircuitsHealthCheck(UpstreamResilienceRegistry resilience) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        var open = new List<string>();
        foreach (var cluster in resilience.Clusters.OrderBy(c => c.ClusterId, StringComparer.Ordinal))
        {
            var state = cluster.BreakerState;
            var paused = cluster.Pause.Remaining;
            data[cluster.ClusterId] = paused is { } left ? $"{state.Describe()}, paused for {Math.Ceiling(left.TotalSeconds)} s" : state.Describe();
            if (state is CircuitState.Open)
            {
                open.Add(cluster.ClusterId);
            }

            if (cluster.Destinations is { Count: > 1 } destinations)
            {
                foreach (var destination in destinations)
                {
                    var name = $"{cluster.ClusterId}/{destination.Id}";
                    var destinationState = destination.Circuit.Breaker.State;
                    data[name] = destinationState.Describe();
                    if (destinationState is CircuitState.Open && state is not CircuitState.Open)
                    {
                        open.Add(name);
                    }
                }
            }
        }

        var result = open.Count == 0
            ? HealthCheckResult.Healthy("No upstream circuit is open.", data)
            : HealthCheckResult.Degraded($"Open circuits: {string.Join(", ", open)}; answers come from the cache or another destination.", data: data);
        return Task.FromResult(result);
    }
}

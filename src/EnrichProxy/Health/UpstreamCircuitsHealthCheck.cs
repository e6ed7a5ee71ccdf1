using EnrichProxy.Upstreams.Resilience;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EnrichProxy.Health;

/// <summary>
/// The circuit breaker and pause of every cluster. An open circuit degrades readiness without failing
/// it: the proxy still answers from its cache, which is what it is for.
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
            data[cluster.ClusterId] = paused is { } left ? $"{Describe(state)}, paused for {Math.Ceiling(left.TotalSeconds)} s" : Describe(state);
            if (state is CircuitState.Open)
            {
                open.Add(cluster.ClusterId);
            }
        }

        var result = open.Count == 0
            ? HealthCheckResult.Healthy("No upstream circuit is open.", data)
            : HealthCheckResult.Degraded($"Open circuits: {string.Join(", ", open)}; answers come from the cache.", data: data);
        return Task.FromResult(result);
    }

    private static string Describe(CircuitState state) => state switch
    {
        CircuitState.Closed => "closed",
        CircuitState.Open => "open",
        _ => "half-open",
    };
}

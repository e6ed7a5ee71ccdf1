using EnrichProxy.Caching.Purging;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace EnrichProxy.Health;

/// <summary>
/// With Redis: whether this instance hears the others (FusionCache's backplane and the purge channel
/// share the connection). Without: a single instance has no backplane, which is healthy. Degraded, not
/// failed: a deaf instance still answers, with L1 entries that may be out of date for a while.
/// </summary>
/// <param name="purger">Whether purges from other instances can arrive.</param>
/// <param name="redis">The Redis connection, when Redis is configured (none otherwise).</param>
internal sealed class BackplaneHealthCheck(Purger purger, IEnumerable<IConnectionMultiplexer> redis) : IHealthCheck
{
    /// <summary>The check's name in <c>/health/ready</c>.</summary>
    public const string Name = "backplane";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (purger.IsListening is not { } listening)
        {
            return Task.FromResult(HealthCheckResult.Healthy("No backplane: one instance with the embedded disk L2.",
                new Dictionary<string, object> { ["backplane"] = "none" }));
        }

        var connected = redis.FirstOrDefault()?.IsConnected ?? false;
        var data = new Dictionary<string, object> { ["backplane"] = "redis", ["connected"] = connected, ["purges"] = listening ? "subscribed" : "not subscribed" };
        return Task.FromResult(connected && listening
            ? HealthCheckResult.Healthy("Connected to the Redis backplane.", data)
            : HealthCheckResult.Degraded("Not connected to the Redis backplane: other instances' changes and purges do not reach this one.", data: data));
    }
}

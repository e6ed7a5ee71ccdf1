using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EnrichProxy.Health;

/// <summary>Ready when the second cache level (Redis or the disk file) answers a read.</summary>
internal sealed class CacheStorageHealthCheck(IDistributedCache storage) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await storage.GetAsync("enrichproxy:health", timeout.Token);
            return HealthCheckResult.Healthy("The L2 cache answers.");
        }
#pragma warning disable CA1031 // Any failure means not ready; the message must not carry a connection string.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            return HealthCheckResult.Unhealthy($"The L2 cache does not answer ({exception.GetType().Name}).");
        }
    }
}

using EnrichProxy.Caching.Storage;
using EnrichProxy.Configuration;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace EnrichProxy.Health;

/// <summary>
/// Ready when the second cache level (Redis or the disk file) answers a read. The check itself never waits longer
/// than <see cref="MaxWait"/> (or the shorter <see cref="RedisOptions.OperationTimeout"/>), so that the readiness
/// endpoint answers within a second whatever the state of L2, and says which state it is in.
/// </summary>
internal sealed class CacheStorageHealthCheck(IDistributedCache storage, IOptions<EnrichProxyOptions> options, TimeProvider time) : IHealthCheck
{
    /// <summary>The check's name in <c>/health/ready</c>.</summary>
    public const string Name = "l2";

    /// <summary>The longest the check waits for L2.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromMilliseconds(800);

    private readonly TimeSpan _wait = options.Value.Redis.OperationTimeout < MaxWait ? options.Value.Redis.OperationTimeout : MaxWait;
    private readonly string _level = options.Value.Redis.IsEnabled ? "redis" : "disk";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_wait);
        try
        {
            // WaitAsync as well as the token: a client that ignores cancellation must not hold readiness.
            await storage.GetAsync("enrichproxy:health", timeout.Token).WaitAsync(_wait, time, cancellationToken);
            return HealthCheckResult.Healthy("The L2 cache answers.", Data("answering"));
        }
        catch (StorageUnavailableException)
        {
            return HealthCheckResult.Unhealthy("The L2 cache failed moments ago and is skipped for a while.", data: Data("skipped after a failure"));
        }
        catch (Exception exception) when (exception is TimeoutException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"The L2 cache did not answer within {_wait.TotalMilliseconds:0} ms.", data: Data("not answering"));
        }
#pragma warning disable CA1031 // Any failure means not ready; the message must not carry a connection string.
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            return HealthCheckResult.Unhealthy($"The L2 cache does not answer ({exception.GetType().Name}).", data: Data("failing"));
        }
    }

    private Dictionary<string, object> Data(string state) => new() { ["level"] = _level, ["state"] = state };
}

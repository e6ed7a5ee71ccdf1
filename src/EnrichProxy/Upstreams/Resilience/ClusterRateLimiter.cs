using System.Threading.RateLimiting;
using EnrichProxy.Configuration;

namespace EnrichProxy.Upstreams.Resilience;

/// <summary>
/// The outbound token bucket of one cluster (System.Threading.RateLimiting). Client requests queue for a
/// permit up to <see cref="RateLimitOptions.MaxWait"/>, measured on the injected <see cref="TimeProvider"/>;
/// background requests (refreshes, prefetch) only take a permit no client is waiting for. The bucket
/// itself refills on the real clock: .NET's limiters read it even when replenished by hand.
/// </summary>
internal sealed class ClusterRateLimiter : IDisposable
{
    private readonly string _clusterId;
    private readonly RateLimitOptions _options;
    private readonly TimeProvider _time;
    private readonly TokenBucketRateLimiter _bucket;
    private int _clientsWaiting;

    public ClusterRateLimiter(string clusterId, RateLimitOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _clusterId = clusterId;
        _options = options;
        _time = time;

        // One refill per permit's worth of time; above 100 a second, whole permits every 10 ms or so,
        // the period stretched so that permits per refill over the period is exactly the rate.
        var permitsPerRefill = Math.Max(1, (int)Math.Ceiling(options.PermitsPerSecond * 0.01));
        RefillPeriod = TimeSpan.FromSeconds(permitsPerRefill / options.PermitsPerSecond);
        _bucket = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(options.EffectiveBurst, permitsPerRefill),
            TokensPerPeriod = permitsPerRefill,
            ReplenishmentPeriod = RefillPeriod,
            AutoReplenishment = true,
            QueueLimit = options.QueueLimit,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    /// <summary>The time between two refills of the bucket.</summary>
    public TimeSpan RefillPeriod { get; }

    /// <summary>Client requests waiting for a permit right now.</summary>
    public int ClientsWaiting => Volatile.Read(ref _clientsWaiting);

    /// <summary>Waits for a permit; throws <see cref="UpstreamRefusedException"/> when none comes in time.</summary>
    /// <returns>Whether the request had to wait.</returns>
    public async ValueTask<bool> WaitForPermitAsync(bool background, CancellationToken cancellationToken)
    {
        if (background)
        {
            return await WaitBehindClientsAsync(cancellationToken).ConfigureAwait(false);
        }

        using (var lease = _bucket.AttemptAcquire())
        {
            if (lease.IsAcquired)
            {
                return false;
            }
        }

        Interlocked.Increment(ref _clientsWaiting);
        using var maxWait = new CancellationTokenSource(_options.MaxWait, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, maxWait.Token);
        try
        {
            using var lease = await _bucket.AcquireAsync(1, linked.Token).ConfigureAwait(false);
            return lease.IsAcquired ? true : throw Refused();
        }
        catch (OperationCanceledException) when (maxWait.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw Refused();
        }
        finally
        {
            Interlocked.Decrement(ref _clientsWaiting);
        }
    }

    public void Dispose() => _bucket.Dispose();

    // Background work asks only when no client waits, and then only for a permit that is already
    // there: whatever the bucket holds goes to clients first.
    private async Task<bool> WaitBehindClientsAsync(CancellationToken cancellationToken)
    {
        for (var waited = false; ; waited = true)
        {
            if (ClientsWaiting == 0)
            {
                using var lease = _bucket.AttemptAcquire();
                if (lease.IsAcquired)
                {
                    return waited;
                }
            }

            // The bucket refills on the real clock, so this waits on it too.
            await Task.Delay(RefillPeriod, cancellationToken).ConfigureAwait(false);
        }
    }

    // Retry-After: the time the bucket needs to serve everyone waiting now (the refused one included).
    private UpstreamRefusedException Refused() =>
        new(_clusterId, RefusalReason.RateLimited, TimeSpan.FromSeconds(Math.Max(1, ClientsWaiting) / _options.PermitsPerSecond));
}

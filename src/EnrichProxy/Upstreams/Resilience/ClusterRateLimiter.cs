using System.Threading.RateLimiting;
using EnrichProxy.Configuration;

namespace EnrichProxy.Upstreams.Resilience;

/// <summary>
/// The outbound token bucket of one cluster (System.Threading.RateLimiting). Client requests queue for a
/// permit up to <see cref="RateLimitOptions.MaxWait"/>, measured on the injected <see cref="TimeProvider"/>.
/// Background requests (refreshes, prefetches, warm-up) take a permit only from a full bucket that no
/// client waits for, so they use what client traffic leaves over and a client's burst never finds the
/// bucket emptied by them. The bucket itself refills on the real clock: .NET's limiters read it even
/// when replenished by hand.
/// </summary>
internal sealed class ClusterRateLimiter : IDisposable
{
    // The longest a background request waits between two looks at the bucket: it must notice a client joining it.
    private static readonly TimeSpan LongestBackgroundPoll = TimeSpan.FromMilliseconds(50);

    private readonly string _clusterId;
    private readonly RateLimitOptions _options;
    private readonly TimeProvider _time;
    private readonly TokenBucketRateLimiter _bucket;
    private readonly int _tokenLimit;
    private readonly Lock _backgroundGate = new();
    private readonly TimeSpan _backgroundPoll;
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
        _backgroundPoll = RefillPeriod < LongestBackgroundPoll ? RefillPeriod : LongestBackgroundPoll;
        _tokenLimit = Math.Max(options.EffectiveBurst, permitsPerRefill);
        _bucket = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = _tokenLimit,
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
    /// <returns>Whether a client request had to wait (background requests wait by design and say false).</returns>
    public async ValueTask<bool> WaitForPermitAsync(BackgroundPriority? background, CancellationToken cancellationToken)
    {
        if (background is { IsBackground: true } && await WaitBehindClientsAsync(background, cancellationToken))
        {
            return false;
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
            using var lease = await _bucket.AcquireAsync(1, linked.Token);
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

    // Background work asks only when no client waits and the bucket is full, and then takes one permit:
    // at most the refill rate, and never what a client could have used. One at a time, so that two
    // background requests cannot both see the same full bucket. False when a client joined the request
    // meanwhile: it then queues for its permit as a client.
    private async Task<bool> WaitBehindClientsAsync(BackgroundPriority background, CancellationToken cancellationToken)
    {
        while (!TryTakeSparePermit())
        {
            if (!background.IsBackground)
            {
                return false;
            }

            // The bucket refills on the real clock, so this waits on it too.
            await Task.Delay(_backgroundPoll, cancellationToken);
        }

        return true;
    }

    private bool TryTakeSparePermit()
    {
        lock (_backgroundGate)
        {
            if (ClientsWaiting > 0 || _bucket.GetStatistics()?.CurrentAvailablePermits < _tokenLimit)
            {
                return false;
            }

            using var lease = _bucket.AttemptAcquire();
            return lease.IsAcquired;
        }
    }

    // Retry-After: the time the bucket needs to serve everyone waiting now (the refused one included).
    private UpstreamRefusedException Refused() =>
        new(_clusterId, RefusalReason.RateLimited, TimeSpan.FromSeconds(Math.Max(1, ClientsWaiting) / _options.PermitsPerSecond));
}

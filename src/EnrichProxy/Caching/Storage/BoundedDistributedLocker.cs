using ZiggyCreatures.Caching.Fusion.Locking.Distributed;

namespace EnrichProxy.Caching.Storage;

/// <summary>
/// The distributed lock behind the same <see cref="StorageCircuit"/> as L2: an acquisition never takes much longer
/// than its timeout (the Redis client may notice a frozen server later than that), and while the circuit is open the
/// lock is skipped. Skipped or failed, the caller fills without it: at worst two instances fetch the same key once.
/// </summary>
/// <remarks>A lock held by another instance is not a failure: waiting for it up to the timeout is the lock's job.</remarks>
internal sealed class BoundedDistributedLocker(IFusionCacheDistributedLocker inner, StorageCircuit circuit) : IFusionCacheDistributedLocker, IDisposable
{
    // Beyond the lock's own timeout: the inner lock answers "not acquired" at its timeout, a frozen server only when
    // the client library gives up on it.
    private static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(100);

    public async ValueTask<object?> AcquireLockAsync(string cacheName, string cacheInstanceId, string operationId, string key, string lockName, TimeSpan timeout, ILogger? logger, CancellationToken token)
    {
        if (circuit.IsOpen)
        {
            return null;
        }

        var acquiring = inner.AcquireLockAsync(cacheName, cacheInstanceId, operationId, key, lockName, timeout, logger, token).AsTask();
        try
        {
            return await acquiring.WaitAsync(timeout + Slack, token);
        }
        catch (TimeoutException)
        {
            circuit.Trip();
            ReleaseWhenAcquired(acquiring, cacheName, cacheInstanceId, operationId, key, lockName, logger);
            return null;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            circuit.Trip();
            return null;
        }
    }

    public object? AcquireLock(string cacheName, string cacheInstanceId, string operationId, string key, string lockName, TimeSpan timeout, ILogger? logger, CancellationToken token) =>
        circuit.IsOpen ? null : inner.AcquireLock(cacheName, cacheInstanceId, operationId, key, lockName, timeout, logger, token);

    public async ValueTask ReleaseLockAsync(string cacheName, string cacheInstanceId, string operationId, string key, string lockName, object? lockObj, ILogger? logger, CancellationToken token)
    {
        if (lockObj is null)
        {
            return;
        }

        try
        {
            await circuit.RunAsync(t => inner.ReleaseLockAsync(cacheName, cacheInstanceId, operationId, key, lockName, lockObj, logger, t).AsTask(), token);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The lock expires on its own (the locker's abandon timeout); a failed release costs nothing else.
        }
    }

    public void ReleaseLock(string cacheName, string cacheInstanceId, string operationId, string key, string lockName, object? lockObj, ILogger? logger, CancellationToken token)
    {
        if (lockObj is not null)
        {
            inner.ReleaseLock(cacheName, cacheInstanceId, operationId, key, lockName, lockObj, logger, token);
        }
    }

    public void Dispose() => (inner as IDisposable)?.Dispose();

    // A lock acquired after its caller gave up on it is released, so that it does not hold other instances off.
    private void ReleaseWhenAcquired(Task<object?> acquiring, string cacheName, string cacheInstanceId, string operationId, string key, string lockName, ILogger? logger) =>
        _ = acquiring.ContinueWith(
            done => done.IsCompletedSuccessfully && done.Result is { } acquired
                ? inner.ReleaseLockAsync(cacheName, cacheInstanceId, operationId, key, lockName, acquired, logger, CancellationToken.None).AsTask()
                : Task.CompletedTask,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default).Unwrap();
}

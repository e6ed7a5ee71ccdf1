using ZiggyCreatures.Caching.Fusion.Locking;

namespace EnrichProxy.Caching;

/// <summary>
/// FusionCache's per-key factory lock, held only while a factory runs. FusionCache's standard locker
/// keeps a semaphore per key in a memory cache for minutes after its use, about 440 bytes per key
/// beside every cached answer; with 100,000 answers that was a fifth of the memory per entry.
/// Here a key's semaphore exists while someone holds or waits for it, and is gone after.
/// </summary>
internal sealed class TransientKeyLocker : IFusionCacheMemoryLocker
{
    // Taken only on fills (never on hits) and only for a few instructions.
    private readonly Lock _gate = new();
    private readonly Dictionary<string, KeyLock> _locks = new(StringComparer.Ordinal);

    /// <summary>Keys with a holder or a waiter right now.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _locks.Count;
            }
        }
    }

    public async ValueTask<object?> AcquireLockAsync(
        string cacheName, string cacheInstanceId, string operationId, string key, TimeSpan timeout, ILogger? logger, CancellationToken token)
    {
        var keyLock = Enter(key);
        var acquired = false;
        try
        {
            acquired = await keyLock.Semaphore.WaitAsync(timeout, token);
        }
        finally
        {
            if (!acquired)
            {
                Leave(key, keyLock);
            }
        }

        return acquired ? keyLock : null;
    }

    public object? AcquireLock(
        string cacheName, string cacheInstanceId, string operationId, string key, TimeSpan timeout, ILogger? logger, CancellationToken token)
    {
        var keyLock = Enter(key);
        var acquired = false;
        try
        {
            acquired = keyLock.Semaphore.Wait(timeout, token);
        }
        finally
        {
            if (!acquired)
            {
                Leave(key, keyLock);
            }
        }

        return acquired ? keyLock : null;
    }

    public void ReleaseLock(string cacheName, string cacheInstanceId, string operationId, string key, object? lockObj, ILogger? logger)
    {
        if (lockObj is KeyLock keyLock)
        {
            keyLock.Semaphore.Release();
            Leave(key, keyLock);
        }
    }

    public void Dispose()
    {
        // Nothing to free: a SemaphoreSlim needs disposing only once its wait handle was asked for, which nothing here does.
    }

    private KeyLock Enter(string key)
    {
        lock (_gate)
        {
            if (!_locks.TryGetValue(key, out var keyLock))
            {
                keyLock = new KeyLock();
                _locks.Add(key, keyLock);
            }

            keyLock.Users++;
            return keyLock;
        }
    }

    private void Leave(string key, KeyLock keyLock)
    {
        lock (_gate)
        {
            if (--keyLock.Users == 0)
            {
                _locks.Remove(key);
            }
        }
    }

    private sealed class KeyLock
    {
        public SemaphoreSlim Semaphore { get; } = new(1, 1);

        /// <summary>Holders and waiters; guarded by the locker's gate.</summary>
        public int Users { get; set; }
    }
}

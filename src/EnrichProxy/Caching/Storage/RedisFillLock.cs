using System.Collections.Concurrent;
using StackExchange.Redis;
using ZiggyCreatures.Caching.Fusion.Locking.Distributed;

namespace EnrichProxy.Caching.Storage;

/// <summary>
/// The lock that lets one instance fill a key while the others wait for it, on Redis: <c>SET key token NX PX</c> to
/// take it, and a script that deletes it (if still ours) and announces the release on a channel, so that waiting
/// instances try again the moment it is released instead of polling. FusionCache stores the entry before it releases
/// the lock, so the woken waiter finds it in L2 and fetches nothing.
/// </summary>
/// <remarks>
/// Each Redis command goes through the <see cref="StorageCircuit"/>: bounded by the operation timeout, skipped while
/// Redis is failing (a release is tried even then). A lock that cannot be taken for that reason is not taken: the
/// fill goes on without it (at worst two instances fetch the same key once). A lock expires on its own once the wait
/// for it is over (the fill's bound, and a margin). A waiter also looks again every <see cref="FallbackPoll"/>, in
/// case a release announcement was lost or a holder died. The waits are on the wall clock, like the circuit's.
/// </remarks>
internal sealed class RedisFillLock : IFusionCacheDistributedLocker, IRefreshLock
{
    /// <summary>How long a lock outlives a holder that died, when the wait gives no bound.</summary>
    public static readonly TimeSpan AbandonAfter = TimeSpan.FromMinutes(2);

    // A lock lasts as long as others may wait for it (the fill's own bound), and this much longer.
    private static readonly TimeSpan HolderMargin = TimeSpan.FromSeconds(5);

    /// <summary>How often a waiter looks again without being woken.</summary>
    public static readonly TimeSpan FallbackPoll = TimeSpan.FromMilliseconds(250);

    private const string ReleaseScript = """
        if redis.call('get', KEYS[1]) == ARGV[1] then
          redis.call('del', KEYS[1])
          redis.call('publish', ARGV[2], KEYS[1])
          return 1
        end
        return 0
        """;

    private readonly IConnectionMultiplexer _redis;
    private readonly StorageCircuit _circuit;
    private readonly TimeProvider _time;
    private readonly string _prefix;
    private readonly RedisChannel _released;
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiting = new(StringComparer.Ordinal);
    private readonly Lock _subscribing = new();
    private Task? _subscription;

    public RedisFillLock(IConnectionMultiplexer redis, StorageCircuit circuit, TimeProvider time, string instanceName)
    {
        _redis = redis;
        _circuit = circuit;
        _time = time;
        _prefix = instanceName + "lock:";
        _released = RedisChannel.Literal(instanceName + "lock-released");
    }

    public async ValueTask<object?> AcquireLockAsync(string cacheName, string cacheInstanceId, string operationId, string key, string lockName, TimeSpan timeout, ILogger? logger, CancellationToken token)
    {
        var lockKey = _prefix + lockName;
        var owner = new Held(lockKey, Guid.NewGuid().ToString("N"));
        var deadline = timeout == Timeout.InfiniteTimeSpan ? DateTimeOffset.MaxValue : _time.GetUtcNow() + timeout;
        await EnsureSubscribedAsync(token);
        while (true)
        {
            // Registered before trying, so that a release between a failed try and the wait still wakes it.
            var released = _waiting.GetOrAdd(lockKey, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            var taken = await TryTakeAsync(owner, timeout > TimeSpan.Zero ? timeout + HolderMargin : AbandonAfter, token);
            var left = deadline - _time.GetUtcNow();
            if (taken != false || left <= TimeSpan.Zero)
            {
                // Taken; Redis is failing and the fill goes on without the lock; or still held by a holder slower than
                // the wait allows, and the caller goes on without it.
                _waiting.TryRemove(new KeyValuePair<string, TaskCompletionSource>(lockKey, released));
                return taken == true ? owner : null;
            }

            try
            {
                await released.Task.WaitAsync(left < FallbackPoll ? left : FallbackPoll, _time, token);
            }
            catch (TimeoutException)
            {
                // Look again.
            }
        }
    }

    public object? AcquireLock(string cacheName, string cacheInstanceId, string operationId, string key, string lockName, TimeSpan timeout, ILogger? logger, CancellationToken token) =>
        AcquireLockAsync(cacheName, cacheInstanceId, operationId, key, lockName, timeout, logger, token).AsTask().GetAwaiter().GetResult();

    public async ValueTask ReleaseLockAsync(string cacheName, string cacheInstanceId, string operationId, string key, string lockName, object? lockObj, ILogger? logger, CancellationToken token)
    {
        if (lockObj is not Held held)
        {
            return;
        }

        try
        {
            await ReleaseAsync(held);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // It expires on its own (AbandonAfter); waiters look again every FallbackPoll meanwhile.
        }
    }

    public void ReleaseLock(string cacheName, string cacheInstanceId, string operationId, string key, string lockName, object? lockObj, ILogger? logger, CancellationToken token) =>
        ReleaseLockAsync(cacheName, cacheInstanceId, operationId, key, lockName, lockObj, logger, token).AsTask().GetAwaiter().GetResult();

    /// <summary>
    /// The refresh of a key, for one instance at a time (stale-while-revalidate and background refreshes). Not waited
    /// for: an instance that does not get it leaves the refresh to the one that did. With Redis failing, every instance
    /// refreshes for itself, as without the lock.
    /// </summary>
    public async ValueTask<IAsyncDisposable?> TryTakeAsync(string key, TimeSpan holdFor, CancellationToken cancellationToken)
    {
        var owner = new Held(_prefix + "refresh:" + key, Guid.NewGuid().ToString("N"));
        return await TryTakeAsync(owner, holdFor, cancellationToken) == false ? null : new RefreshHeld(this, owner);
    }

    // True: taken; false: held by another; null: Redis did not answer (the circuit counts it).
    private async Task<bool?> TryTakeAsync(Held owner, TimeSpan holdFor, CancellationToken token)
    {
        if (_circuit.IsOpen)
        {
            return null;
        }

        try
        {
            return await _circuit.RunAsync(_ => _redis.GetDatabase().StringSetAsync(owner.Key, owner.Token, holdFor, When.NotExists), token);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return null;
        }
    }

    private async Task EnsureSubscribedAsync(CancellationToken token)
    {
        Task subscription;
        lock (_subscribing)
        {
            // Once subscribed, the client subscribes again by itself after a reconnect; a failed first try is retried.
            if (_subscription is null || _subscription.IsFaulted || _subscription.IsCanceled)
            {
                _subscription = SubscribeAsync();
            }

            subscription = _subscription;
        }

        try
        {
            await subscription.WaitAsync(_circuit.Timeout, _time, token);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Not subscribed yet (Redis away): waiters fall back to looking every FallbackPoll.
        }
    }

    private Task SubscribeAsync() => _redis.GetSubscriber().SubscribeAsync(_released, (_, lockKey) =>
    {
        if (_waiting.TryRemove(lockKey.ToString(), out var released))
        {
            released.TrySetResult();
        }
    });

    // Tried even while the circuit is open: a lock left behind would hold every other instance off until it expires.
    private Task<RedisResult> ReleaseAsync(Held held) => _circuit.RunEvenIfOpenAsync(
        _ => _redis.GetDatabase().ScriptEvaluateAsync(ReleaseScript, [held.Key], [held.Token, _released.ToString()]),
        CancellationToken.None);

    private sealed record Held(string Key, string Token);

    private sealed class RefreshHeld(RedisFillLock owner, Held held) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await owner.ReleaseAsync(held);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // It expires on its own (holdFor).
            }
        }
    }
}

namespace EnrichProxy.Caching.Storage;

/// <summary>
/// Keeps the second level (Redis or the disk file) and the fill lock out of the request path while they fail:
/// every operation is bounded by <see cref="Timeout"/>, and after one fails or takes longer they are skipped (failing
/// at once) for <see cref="BreakDuration"/>, then tried again. Without it, every request that started before anyone
/// noticed would wait out each of its L2 and lock operations in turn on a frozen Redis.
/// </summary>
/// <remarks>
/// The bounds are on the wall clock (the app registers it with <see cref="TimeProvider.System"/>): they are about
/// I/O, and a test's frozen fake clock must not stop them.
/// </remarks>
internal sealed class StorageCircuit(TimeSpan timeout, TimeProvider time)
{
    public static readonly TimeSpan BreakDuration = TimeSpan.FromSeconds(2);

    private long _closedAfterTicks;

    /// <summary>The longest one operation may take (<c>EnrichProxy:Redis:OperationTimeout</c>).</summary>
    public TimeSpan Timeout { get; } = timeout;

    /// <summary>Whether operations are skipped now, after a failure.</summary>
    public bool IsOpen => time.GetUtcNow().UtcTicks < Volatile.Read(ref _closedAfterTicks);

    /// <summary>Skips the level for <see cref="BreakDuration"/> from now.</summary>
    public void Trip() => Volatile.Write(ref _closedAfterTicks, (time.GetUtcNow() + BreakDuration).UtcTicks);

    /// <summary>
    /// Runs <paramref name="operation"/> within <see cref="Timeout"/>; a failure or a timeout trips the circuit, even
    /// when the caller stopped waiting first (FusionCache gives up on a slow read after its own, shorter, timeout).
    /// </summary>
    /// <exception cref="StorageUnavailableException">The circuit is open: the operation was not tried.</exception>
    /// <exception cref="TimeoutException">The operation took longer than <see cref="Timeout"/>.</exception>
    public Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken) =>
        IsOpen ? throw new StorageUnavailableException() : RunEvenIfOpenAsync(operation, cancellationToken);

    /// <inheritdoc cref="RunAsync{T}(Func{CancellationToken, Task{T}}, CancellationToken)"/>
    public Task RunAsync(Func<CancellationToken, Task> operation, CancellationToken cancellationToken) =>
        RunAsync(
            async token =>
            {
                await operation(token);
                return true;
            },
            cancellationToken);

    /// <summary>
    /// Runs <paramref name="operation"/> within <see cref="Timeout"/> whether the circuit is open or not: for what must
    /// be tried anyway, such as releasing a lock this instance holds.
    /// </summary>
    public async Task<T> RunEvenIfOpenAsync<T>(Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        // The operation itself is not cancelled by the caller: the watch below must see how it ends.
        var watched = WatchAsync(operation(CancellationToken.None));
        // Observed whoever waits: a caller that stopped waiting leaves its outcome to the watch alone.
        _ = watched.ContinueWith(static done => _ = done.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return await watched.WaitAsync(cancellationToken);
    }

    private async Task<T> WatchAsync<T>(Task<T> running)
    {
        try
        {
            // Not back on the caller's scheduler: a trip must not wait for the background jobs' thread when a job's call timed out.
            return await running.WaitAsync(Timeout, time).ConfigureAwait(false);
        }
        catch
        {
            Trip();
            throw;
        }
    }
}

/// <summary>The second level was skipped: it failed moments ago (<see cref="StorageCircuit"/>).</summary>
internal sealed class StorageUnavailableException() : Exception("The second cache level failed moments ago and is skipped for a while.");

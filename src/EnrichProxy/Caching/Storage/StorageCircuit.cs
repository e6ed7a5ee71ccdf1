namespace EnrichProxy.Caching.Storage;

/// <summary>
/// Keeps the second level (Redis or the disk file) and the distributed lock out of the request path while they fail:
/// every operation is bounded by <see cref="Timeout"/>, and after one fails or times out they are skipped (failing at
/// once) for <see cref="BreakDuration"/>, then tried again. Without it, every request that started before anyone
/// noticed would wait out each of its L2 and lock operations in turn on a frozen Redis.
/// </summary>
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

    /// <summary>Runs <paramref name="operation"/> within <see cref="Timeout"/>; a failure or a timeout trips the circuit.</summary>
    /// <exception cref="StorageUnavailableException">The circuit is open: the operation was not tried.</exception>
    /// <exception cref="TimeoutException">The operation took longer than <see cref="Timeout"/>.</exception>
    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        if (IsOpen)
        {
            throw new StorageUnavailableException();
        }

        try
        {
            // WaitAsync as well as the token: a client that notices a frozen server late must not hold the request.
            return await operation(cancellationToken).WaitAsync(Timeout, time, cancellationToken);
        }
        catch (Exception exception) when (!(exception is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            Trip();
            throw;
        }
    }

    /// <inheritdoc cref="RunAsync{T}(Func{CancellationToken, Task{T}}, CancellationToken)"/>
    public Task RunAsync(Func<CancellationToken, Task> operation, CancellationToken cancellationToken) =>
        RunAsync(
            async token =>
            {
                await operation(token);
                return true;
            },
            cancellationToken);
}

/// <summary>The second level was skipped: it failed moments ago (<see cref="StorageCircuit"/>).</summary>
internal sealed class StorageUnavailableException() : Exception("The second cache level failed moments ago and is skipped for a while.");

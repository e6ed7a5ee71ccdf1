using System.Collections.Concurrent;
using EnrichProxy.Background;

namespace EnrichProxy.Caching;

/// <summary>
/// At most one piece of work per key at a time in this process; concurrent callers for the same key
/// share its task, whether it succeeds or fails. FusionCache serialises concurrent factories for a key
/// behind a lock, and a waiter whose predecessor failed or did not store runs the factory again;
/// sharing the task instead answers every waiter the moment the one upstream request returns.
/// </summary>
internal sealed class SingleFlight<T>
{
    private readonly ConcurrentDictionary<string, Task<T>> _flights = new(StringComparer.Ordinal);

    /// <summary>The number of keys with work in progress.</summary>
    public int Count => _flights.Count;

    /// <summary>Joins the work in progress for <paramref name="key"/>, or starts <paramref name="work"/>.</summary>
    /// <returns>The shared task, and whether this call started it.</returns>
    public (Task<T> Task, bool Started) Run<TState>(string key, TState state, Func<TState, Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (_flights.TryGetValue(key, out var running))
        {
            return (running, false);
        }

        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var flight = _flights.GetOrAdd(key, completion.Task);
        if (!ReferenceEquals(flight, completion.Task))
        {
            return (flight, false);
        }

        // Started by a background job, the work runs on the pool: a client who joins it must not wait for the jobs' thread.
        _ = BackgroundThread.IsCurrent ? RunOnPool(key, completion, state, work) : RunAsync(key, completion, state, work);
        return (completion.Task, true);
    }

    /// <summary>The work in progress for <paramref name="key"/>, if any; never starts any.</summary>
    public bool TryJoin(string key, out Task<T> flight) => _flights.TryGetValue(key, out flight!);

    /// <summary>Lets the next caller for <paramref name="key"/> start afresh; those who joined the work in progress still get its result.</summary>
    public void Forget(string key) => _flights.TryRemove(key, out _);

    // Apart from Run, so that a client's call does not allocate the closure.
    private Task RunOnPool<TState>(string key, TaskCompletionSource<T> completion, TState state, Func<TState, Task<T>> work) =>
        Task.Run(() => RunAsync(key, completion, state, work));

    private async Task RunAsync<TState>(string key, TaskCompletionSource<T> completion, TState state, Func<TState, Task<T>> work)
    {
        T result = default!;
        Exception? failure = null;
        try
        {
            // A client's flight starts on its thread, not after a hop through the thread pool: in a herd, that queue holds hundreds
            // of the herd's own requests, and every one of them waits for this work (a job's hops, see Run). The work gets no
            // caller's cancellation.
            result = await work(state);
        }
#pragma warning disable CA1031 // Every failure belongs to the waiters, who each turn it into an answer.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            failure = exception;
        }

        // The key is free before anyone hears the outcome: a waiter that asks again starts afresh.
        _flights.TryRemove(new KeyValuePair<string, Task<T>>(key, completion.Task));
        if (failure is null)
        {
            completion.TrySetResult(result);
        }
        else
        {
            completion.TrySetException(failure);
        }
    }
}

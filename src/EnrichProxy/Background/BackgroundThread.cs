using System.Collections.Concurrent;

namespace EnrichProxy.Background;

/// <summary>
/// The one thread the queue's jobs run their own code on: a <see cref="TaskScheduler"/> the workers start on, so
/// that the awaits of the app's code come back to it. On the thread pool, a job holds one of the pool's few active
/// threads (about as many as the cores) from the requests of clients for as long as it runs without awaiting: at the
/// start of an outage, a refresh meets its first refused connection and runs the failure path for the first time,
/// compiled on the spot, for several milliseconds, while answers already made waited to be sent (the outage case in
/// BENCHMARKS.md). On their own thread, jobs share the cores with the pool as the operating system shares them.
/// What libraries run after their own <c>ConfigureAwait(false)</c> awaits (FusionCache, Polly, sockets, Redis) runs on
/// the pool, as before; so does work that others may join (<see cref="IsCurrent"/>): a client waiting for a fill
/// a job started must not wait for this thread's turn. A client awaiting a job's work resumes on the pool (a
/// continuation is run inline only where the current scheduler is the default one).
/// </summary>
internal sealed class BackgroundThread : TaskScheduler, IDisposable
{
    private readonly BlockingCollection<Task> _tasks = [];
    private readonly Thread _thread;

    public BackgroundThread()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "EnrichProxy jobs" };
        _thread.UnsafeStart(); // The thread outlives whoever created it; it carries no one's execution context.
    }

    public override int MaximumConcurrencyLevel => 1;

    /// <summary>
    /// Whether the caller is a job on this thread. Work that others may join (a fill, a shared lookup, a login) is then
    /// started on the pool, so that no client who joins it waits for this thread's turn.
    /// </summary>
    public static bool IsCurrent => TaskScheduler.Current is BackgroundThread;

    /// <summary>Starts <paramref name="work"/> on this thread; its awaits come back to it.</summary>
    public Task Start(Func<Task> work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.DenyChildAttach, this).Unwrap();

    /// <summary>Lets the thread end once it has run what it already holds; what is queued later runs on the pool.</summary>
    public void Dispose() => _tasks.CompleteAdding();

    protected override void QueueTask(Task task)
    {
        try
        {
            _tasks.Add(task);
        }
        catch (InvalidOperationException)
        {
            // Disposed: a continuation of a job the host's shutdown deadline left behind runs on the pool.
            ThreadPool.UnsafeQueueUserWorkItem(static state => state.Scheduler.TryExecuteTask(state.Task), (Scheduler: this, Task: task), preferLocal: false);
        }
    }

    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) =>
        Thread.CurrentThread == _thread && TryExecuteTask(task);

    protected override IEnumerable<Task> GetScheduledTasks() => _tasks.ToArray();

    private void Run()
    {
        foreach (var task in _tasks.GetConsumingEnumerable())
        {
            TryExecuteTask(task);
        }
    }
}

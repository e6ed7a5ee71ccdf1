namespace EnrichProxy.Background;

/// <summary>
/// One piece of background work. Jobs with the same <see cref="Key"/> are one job while it waits or runs.
/// </summary>
/// <param name="Kind">What the job does, for metrics and logs.</param>
/// <param name="Key">The de-duplication key; never holds a secret (it may be logged).</param>
/// <param name="Lane">The priority it waits in.</param>
/// <param name="Depth">How many prefetches led to it (0 for a job no answer named).</param>
/// <param name="Work">The work, and how it ended. Its token is cancelled when the shutdown's drain deadline passes.</param>
internal sealed record BackgroundJob(JobKind Kind, string Key, QueueLane Lane, int Depth, Func<CancellationToken, Task<JobResult>> Work)
{
    /// <summary>
    /// Called with the result once a queued job ended, ran or not (<see cref="JobResult.Cancelled"/> when the
    /// shutdown left it). A job that was never queued is not called back: its enqueue said false.
    /// </summary>
    public Action<JobResult>? Finished { get; init; }

    /// <summary>When it was queued (<see cref="TimeProvider.GetTimestamp"/>), for the wait metric.</summary>
    internal long QueuedAt { get; set; }

    /// <summary>Whether it holds room <see cref="BackgroundQueue.EnqueueAsync"/> waited for.</summary>
    internal bool HoldsPatientRoom { get; set; }
}

using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using EnrichProxy.Configuration;
using EnrichProxy.Telemetry;
using Microsoft.Extensions.Options;

namespace EnrichProxy.Background;

/// <summary>
/// The bounded in-process queue of background work: one <see cref="Channel{T}"/> per <see cref="QueueLane"/>,
/// read by <see cref="QueueOptions.Workers"/> workers that always take from the highest lane with work. A
/// job whose key is already waiting or running is not queued twice; a job that finds its lane full is
/// dropped, counted, and reported in the log at most once a minute. On shutdown the queue takes no more
/// jobs and drains what it holds until <see cref="QueueOptions.DrainTimeout"/>, then cancels and reports the rest.
/// </summary>
internal sealed partial class BackgroundQueue : BackgroundService
{
    private static readonly TimeSpan OverflowReportInterval = TimeSpan.FromMinutes(1);

    private readonly Channel<BackgroundJob>[] _lanes;

    // One count per job in the lanes (plus one per worker at shutdown, to wake idle workers up to leave).
    private readonly SemaphoreSlim _available = new(0);

    // Per lane, the room jobs queued by EnqueueAsync may hold: half the lane, so that the jobs that cannot
    // wait (the prefetches a warm-up's answers name) always find the other half.
    private readonly SemaphoreSlim[] _patientRoom;
    private readonly ConcurrentDictionary<string, byte> _waitingOrRunning = new(StringComparer.Ordinal);

    // Cancelled when the drain deadline passes: running jobs end, idle workers leave.
    private readonly CancellationTokenSource _abandon = new();

    // Where the workers run: off the thread pool, which answers clients (see BackgroundThread).
    private readonly BackgroundThread _thread;
    private readonly QueueOptions _options;
    private readonly QueueMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<BackgroundQueue> _logger;
    private readonly Lock _overflowLock = new();
    private readonly Dictionary<JobKind, long> _droppedSinceReport = [];
    private DateTimeOffset _lastOverflowReport = DateTimeOffset.MinValue;
    private Task _workers = Task.CompletedTask;
    private volatile bool _stopping;

    public BackgroundQueue(IOptions<EnrichProxyOptions> options, QueueMetrics metrics, TimeProvider time, ILogger<BackgroundQueue> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value.Queue;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _lanes = [.. Enum.GetValues<QueueLane>().Select(_ => Channel.CreateBounded<BackgroundJob>(new BoundedChannelOptions(_options.Capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = false,
            SingleWriter = false,
        }))];
        _patientRoom = [.. _lanes.Select(_ => new SemaphoreSlim(Math.Max(1, _options.Capacity / 2)))];
        _thread = new BackgroundThread(); // Last: nothing that may throw comes after it, so no thread is left behind.
    }

    public int Capacity => _options.Capacity;

    public int Workers => _options.Workers;

    /// <summary>Queues <paramref name="job"/> unless the same job waits or runs, or its lane is full (then it is dropped and counted).</summary>
    /// <returns>Whether the job was queued.</returns>
    public bool TryEnqueue(BackgroundJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (!Admit(job))
        {
            return false;
        }

        if (_lanes[(int)job.Lane].Writer.TryWrite(job))
        {
            _available.Release();
            return true;
        }

        _metrics.Withdrawn(job.Lane);
        _waitingOrRunning.TryRemove(job.Key, out _);
        Dropped(job);
        return false;
    }

    /// <summary>
    /// Queues <paramref name="job"/> unless the same job waits or runs, waiting while such jobs already hold
    /// half its lane (the warm-up's back-pressure).
    /// </summary>
    /// <returns>Whether the job was queued: false for a duplicate, or once the queue is shutting down.</returns>
    public async ValueTask<bool> EnqueueAsync(BackgroundJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var room = _patientRoom[(int)job.Lane];
        await room.WaitAsync(cancellationToken);
        if (!Admit(job))
        {
            room.Release();
            return false;
        }

        job.HoldsPatientRoom = true;
        try
        {
            await _lanes[(int)job.Lane].Writer.WriteAsync(job, cancellationToken);
        }
        catch (Exception exception) when (exception is ChannelClosedException or OperationCanceledException)
        {
            room.Release();
            _metrics.Withdrawn(job.Lane);
            _waitingOrRunning.TryRemove(job.Key, out _);
            if (exception is OperationCanceledException)
            {
                throw;
            }

            _metrics.Drop(job.Kind); // Shutting down; the caller learns it from the false.
            return false;
        }

        _available.Release();
        return true;
    }

    // Counts the job in, unless the same job already waits or runs.
    private bool Admit(BackgroundJob job)
    {
        if (!_waitingOrRunning.TryAdd(job.Key, 0))
        {
            _metrics.Deduplicate(job.Kind);
            return false;
        }

        job.QueuedAt = _time.GetTimestamp();
        _metrics.Queued(job.Lane);
        return true;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _workers = Task.WhenAll(Enumerable.Range(0, _options.Workers).Select(_ => _thread.Start(WorkAsync)));
        return Task.WhenAll(_workers, ReportOverflowAsync(stoppingToken));
    }

    /// <summary>Drains: no new jobs, the waiting ones run until the deadline, then the rest is cancelled and logged.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        foreach (var lane in _lanes)
        {
            lane.Writer.TryComplete();
        }

        // Warm-up items are not drained: the next start's warm-up does them again, and the rest need not wait for them.
        var skipped = Abandon(_lanes[(int)QueueLane.Warmup]);
        var waiting = _metrics.Waiting;
        _available.Release(_options.Workers);
        var drained = true;
        try
        {
            await _workers.WaitAsync(_options.DrainTimeout, _time, cancellationToken);
        }
        catch (Exception exception) when (exception is TimeoutException or OperationCanceledException)
        {
            drained = false;
        }

        var cancelled = _metrics.Running;
        if (!drained)
        {
            await _abandon.CancelAsync();
            try
            {
                await _workers.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // The host's own shutdown deadline: what still runs is left to the process exit.
            }
        }

        var left = _lanes.Select(Abandon).Prepend(skipped).SelectMany(byKind => byKind)
            .GroupBy(byKind => byKind.Key).ToDictionary(kind => kind.Key, kind => kind.Sum(k => k.Value));
        var leftCount = left.Values.Sum();
        var leftByKind = Describe(left);
        if (drained)
        {
            LogDrained(_logger, waiting, leftCount, leftByKind);
        }
        else
        {
            LogLeft(_logger, _options.DrainTimeout.TotalSeconds, leftCount, leftByKind, cancelled);
        }

        ReportOverflow(force: true);
        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        // The thread ends once it has run what it holds; continuations queued later run on the pool.
        _thread.Dispose();

        // Not while a worker the host's deadline left behind may still read them.
        if (_workers.IsCompleted)
        {
            _abandon.Dispose();
            _available.Dispose();
            foreach (var room in _patientRoom)
            {
                room.Dispose();
            }
        }

        base.Dispose();
    }

    private async Task WorkAsync()
    {
        while (true)
        {
            try
            {
                await _available.WaitAsync(_abandon.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (TryTake(out var job))
            {
                await RunAsync(job);
            }
            else if (_stopping)
            {
                return; // Woken up to leave: the lanes are closed and empty.
            }
        }
    }

    private bool TryTake(out BackgroundJob job)
    {
        foreach (var lane in _lanes)
        {
            if (TryRead(lane, out job))
            {
                return true;
            }
        }

        job = null!;
        return false;
    }

    // Every job leaves its lane here, and gives back the room EnqueueAsync reserved for it.
    private bool TryRead(Channel<BackgroundJob> lane, out BackgroundJob job)
    {
        if (!lane.Reader.TryRead(out job!))
        {
            return false;
        }

        if (job.HoldsPatientRoom)
        {
            _patientRoom[(int)job.Lane].Release();
        }

        return true;
    }

    private async Task RunAsync(BackgroundJob job)
    {
        var started = _time.GetTimestamp();
        _metrics.Started(job, _time.GetElapsedTime(job.QueuedAt, started));
        using var activity = EnrichProxySpans.Source.StartActivity(EnrichProxySpans.QueueJob);
        activity?.SetTag(EnrichProxySpans.JobKindAttribute, JobLabels.Of(job.Kind));
        BackgroundWork.Current = job;
        var result = JobResult.Failed;
        try
        {
            result = await job.Work(_abandon.Token);
        }
        catch (OperationCanceledException) when (_abandon.IsCancellationRequested)
        {
            result = JobResult.Cancelled;
        }
#pragma warning disable CA1031 // A background job must never take a worker down; the next trigger tries again.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            LogJobFailed(_logger, JobLabels.Of(job.Kind), job.Key, exception.GetType().Name);
        }
        finally
        {
            BackgroundWork.Current = null;
            _waitingOrRunning.TryRemove(job.Key, out _);
            _metrics.Ended(job, result, _time.GetElapsedTime(started));
            Finish(job, result);
        }
    }

    private Dictionary<JobKind, long> Abandon(Channel<BackgroundJob> lane)
    {
        var left = new Dictionary<JobKind, long>();
        while (TryRead(lane, out var job))
        {
            _metrics.Abandoned(job);
            _waitingOrRunning.TryRemove(job.Key, out _);
            left[job.Kind] = left.GetValueOrDefault(job.Kind) + 1;
            Finish(job, JobResult.Cancelled);
        }

        return left;
    }

    private void Finish(BackgroundJob job, JobResult result)
    {
        try
        {
            job.Finished?.Invoke(result);
        }
#pragma warning disable CA1031 // A progress callback must not take a worker down.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            LogJobFailed(_logger, JobLabels.Of(job.Kind), job.Key, exception.GetType().Name);
        }
    }

    private void Dropped(BackgroundJob job)
    {
        _metrics.Drop(job.Kind);
        if (_stopping)
        {
            return; // Shutting down: the drain's own log line says what was left.
        }

        lock (_overflowLock)
        {
            _droppedSinceReport[job.Kind] = _droppedSinceReport.GetValueOrDefault(job.Kind) + 1;
        }

        ReportOverflow(force: false);
    }

    // The first drop after a quiet minute is reported at once; the drops that follow within the minute by the
    // next report, which the periodic loop makes even when no further job is dropped.
    private void ReportOverflow(bool force)
    {
        string dropped;
        long total;
        lock (_overflowLock)
        {
            var now = _time.GetUtcNow();
            if (_droppedSinceReport.Count == 0 || (!force && now - _lastOverflowReport < OverflowReportInterval))
            {
                return;
            }

            total = _droppedSinceReport.Values.Sum();
            dropped = Describe(_droppedSinceReport);
            _droppedSinceReport.Clear();
            _lastOverflowReport = now;
        }

        LogOverflow(_logger, total, dropped, _options.Capacity);
    }

    private async Task ReportOverflowAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(OverflowReportInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                ReportOverflow(force: false);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping: StopAsync makes the last report.
        }
    }

    private static string Describe(Dictionary<JobKind, long> byKind) =>
        byKind.Count == 0 ? "none" : string.Join(", ", byKind.OrderBy(k => k.Key).Select(k => string.Create(CultureInfo.InvariantCulture, $"{JobLabels.Of(k.Key)} {k.Value}")));

    [LoggerMessage(EventId = 7001, EventName = "BackgroundQueueFull", Level = LogLevel.Warning,
        Message = "The background queue was full: {Dropped} jobs dropped ({ByKind}); each lane holds {Capacity} (EnrichProxy:Queue:Capacity)")]
    private static partial void LogOverflow(ILogger logger, long dropped, string byKind, int capacity);

    [LoggerMessage(EventId = 7002, EventName = "BackgroundJobFailed", Level = LogLevel.Warning,
        Message = "Background {Kind} job {Key} failed ({Error}); the next trigger tries again")]
    private static partial void LogJobFailed(ILogger logger, string kind, string key, string error);

    [LoggerMessage(EventId = 7003, EventName = "BackgroundQueueDrained", Level = LogLevel.Information,
        Message = "Background queue drained on shutdown: {Waiting} refresh and prefetch jobs were waiting; left {Left} warm-up jobs ({ByKind}) to the next start's warm-up")]
    private static partial void LogDrained(ILogger logger, long waiting, long left, string byKind);

    [LoggerMessage(EventId = 7004, EventName = "BackgroundQueueLeftJobs", Level = LogLevel.Warning,
        Message = "Background queue not drained within {DrainSeconds} s of shutdown: left {Left} waiting jobs ({ByKind}) and cancelled {Cancelled} running")]
    private static partial void LogLeft(ILogger logger, double drainSeconds, long left, string byKind, long cancelled);
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using EnrichProxy.Telemetry;

namespace EnrichProxy.Background;

/// <summary>The background queue in numbers: jobs waiting per lane and running, how they ended, de-duplicated and dropped, how long they waited and ran.</summary>
internal sealed class QueueMetrics
{
    // Seconds: from a refresh answered by a fast upstream to a warm-up job that waited long for its turn.
    private static readonly double[] DurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];

    private static readonly QueueLane[] Lanes = Enum.GetValues<QueueLane>();

    private readonly Counter<long> _jobs;
    private readonly Counter<long> _deduplicated;
    private readonly Counter<long> _dropped;
    private readonly Histogram<double> _wait;
    private readonly Histogram<double> _duration;
    private readonly long[] _waiting = new long[Lanes.Length];
    private readonly ConcurrentDictionary<(JobKind Kind, JobResult Result), long> _finished = new();
    private readonly ConcurrentDictionary<JobKind, long> _deduplicatedByKind = new();
    private readonly ConcurrentDictionary<JobKind, long> _droppedByKind = new();
    private long _running;

    public QueueMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(EnrichProxyDiagnostics.MeterName);
        meter.CreateObservableGauge(EnrichProxyDiagnostics.QueueDepth, ObserveWaiting, "{job}", "Background jobs waiting, by lane.");
        meter.CreateObservableGauge(EnrichProxyDiagnostics.QueueRunning, () => Running, "{job}", "Background jobs running.");
        _jobs = meter.CreateCounter<long>(EnrichProxyDiagnostics.QueueJobs, "{job}", "Background jobs finished, by kind and result.");
        _deduplicated = meter.CreateCounter<long>(EnrichProxyDiagnostics.QueueDeduplicated, "{job}", "Background jobs not queued because the same job was waiting or running.");
        _dropped = meter.CreateCounter<long>(EnrichProxyDiagnostics.QueueDropped, "{job}", "Background jobs dropped: their lane was full, or the queue was shutting down.");
        var advice = new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets };
        _wait = meter.CreateHistogram(EnrichProxyDiagnostics.QueueWait, "s", "How long background jobs waited for a worker.", tags: null, advice);
        _duration = meter.CreateHistogram(EnrichProxyDiagnostics.QueueJobDuration, "s", "How long background jobs ran.", tags: null, advice);
        foreach (var kind in JobLabels.Kinds)
        {
            foreach (var result in JobLabels.Results)
            {
                _jobs.Add(0, Tags(kind, result));
            }

            _deduplicated.Add(0, Kind(kind));
            _dropped.Add(0, Kind(kind));
        }
    }

    /// <summary>Jobs waiting in all lanes.</summary>
    public long Waiting
    {
        get
        {
            long waiting = 0;
            for (var lane = 0; lane < _waiting.Length; lane++)
            {
                waiting += Volatile.Read(ref _waiting[lane]);
            }

            return waiting;
        }
    }

    public long Running => Volatile.Read(ref _running);

    /// <summary>Jobs waiting in one lane.</summary>
    public long WaitingIn(QueueLane lane) => Volatile.Read(ref _waiting[(int)lane]);

    /// <summary>Jobs finished since start, by kind and result.</summary>
    public IReadOnlyDictionary<(JobKind Kind, JobResult Result), long> Finished => _finished;

    public IReadOnlyDictionary<JobKind, long> Deduplicated => _deduplicatedByKind;

    public IReadOnlyDictionary<JobKind, long> Dropped => _droppedByKind;

    public void Queued(QueueLane lane) => Interlocked.Increment(ref _waiting[(int)lane]);

    /// <summary>Takes back <see cref="Queued"/> for a job that did not make it into its lane.</summary>
    public void Withdrawn(QueueLane lane) => Interlocked.Decrement(ref _waiting[(int)lane]);

    /// <summary>A job left its lane for a worker after waiting <paramref name="waited"/>.</summary>
    public void Started(BackgroundJob job, TimeSpan waited)
    {
        Interlocked.Decrement(ref _waiting[(int)job.Lane]);
        Interlocked.Increment(ref _running);
        _wait.Record(waited.TotalSeconds, Kind(job.Kind));
    }

    public void Ended(BackgroundJob job, JobResult result, TimeSpan ran)
    {
        Interlocked.Decrement(ref _running);
        _duration.Record(ran.TotalSeconds, Kind(job.Kind));
        Count(job.Kind, result);
    }

    /// <summary>A job that left its lane without running: the queue shut down before its turn.</summary>
    public void Abandoned(BackgroundJob job)
    {
        Interlocked.Decrement(ref _waiting[(int)job.Lane]);
        Count(job.Kind, JobResult.Cancelled);
    }

    public void Deduplicate(JobKind kind)
    {
        _deduplicatedByKind.AddOrUpdate(kind, 1, static (_, count) => count + 1);
        _deduplicated.Add(1, Kind(kind));
    }

    public void Drop(JobKind kind)
    {
        _droppedByKind.AddOrUpdate(kind, 1, static (_, count) => count + 1);
        _dropped.Add(1, Kind(kind));
    }

    private void Count(JobKind kind, JobResult result)
    {
        _finished.AddOrUpdate((kind, result), 1, static (_, count) => count + 1);
        _jobs.Add(1, Tags(kind, result));
    }

    private IEnumerable<Measurement<long>> ObserveWaiting()
    {
        foreach (var lane in Lanes)
        {
            yield return new Measurement<long>(WaitingIn(lane), new KeyValuePair<string, object?>(EnrichProxyDiagnostics.LaneTag, LaneName(lane)));
        }
    }

    public static string LaneName(QueueLane lane) => lane switch
    {
        QueueLane.Refresh => "refresh",
        QueueLane.Prefetch => "prefetch",
        _ => "warmup",
    };

    private static KeyValuePair<string, object?> Kind(JobKind kind) => new(EnrichProxyDiagnostics.KindTag, JobLabels.Of(kind));

    private static TagList Tags(JobKind kind, JobResult result) =>
        new() { { EnrichProxyDiagnostics.KindTag, JobLabels.Of(kind) }, { EnrichProxyDiagnostics.ResultTag, JobLabels.Of(result) } };
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace EnrichProxy.Telemetry;

/// <summary>Background jobs: how many wait or run, and how those that finished ended, by kind.</summary>
internal sealed class QueueMetrics
{
    /// <summary>The kind of a stale-while-revalidate refresh.</summary>
    public const string RefreshJob = "refresh";

    /// <summary>A job whose answer was stored.</summary>
    public const string Stored = "stored";

    /// <summary>A job whose answer was not storable (an error status, for example).</summary>
    public const string NotStored = "not_stored";

    /// <summary>A job that got no answer.</summary>
    public const string Failed = "failed";

    private readonly Counter<long> _jobs;
    private readonly ConcurrentDictionary<(string Kind, string Result), long> _finished = new();
    private long _depth;

    public QueueMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(EnrichProxyDiagnostics.MeterName);
        meter.CreateObservableGauge(EnrichProxyDiagnostics.QueueDepth, () => Depth, "{job}", "Background jobs waiting or running.");
        _jobs = meter.CreateCounter<long>(EnrichProxyDiagnostics.QueueJobs, "{job}", "Background jobs finished, by kind and result.");
        Prime(RefreshJob, Stored, NotStored, Failed);
    }

    public long Depth => Volatile.Read(ref _depth);

    /// <summary>Starts the series of a kind of job at zero for each result, before the first one ends.</summary>
    public void Prime(string kind, params string[] results)
    {
        foreach (var result in results)
        {
            _jobs.Add(0, Tags(kind, result));
        }
    }

    /// <summary>Jobs finished since start, by kind and result.</summary>
    public IReadOnlyDictionary<(string Kind, string Result), long> Finished => _finished;

    public void Started() => Interlocked.Increment(ref _depth);

    public void Ended(string kind, string result)
    {
        Interlocked.Decrement(ref _depth);
        _finished.AddOrUpdate((kind, result), 1, static (_, count) => count + 1);
        _jobs.Add(1, Tags(kind, result));
    }

    private static TagList Tags(string kind, string result) =>
        new() { { EnrichProxyDiagnostics.KindTag, kind }, { EnrichProxyDiagnostics.ResultTag, result } };
}

using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using EnrichProxy.Background;
using EnrichProxy.Telemetry;

namespace EnrichProxy.Warmup;

/// <summary>Where the current (or last) warm-up round stands, for the metrics and <c>/admin/stats</c>.</summary>
internal sealed class WarmupProgress
{
    private readonly ConcurrentDictionary<JobResult, long> _results = new();
    private readonly TimeProvider _time;
    private long _items;
    private long _done;
    private long _failures;
    private WarmupFailure? _lastFailure;

    public WarmupProgress(IMeterFactory meterFactory, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _time = time;
        var meter = meterFactory.Create(EnrichProxyDiagnostics.MeterName);
        meter.CreateObservableGauge(EnrichProxyDiagnostics.WarmupItems, () => Items, "{item}", "Items the current or last warm-up round found in the Arr libraries.");
        meter.CreateObservableGauge(EnrichProxyDiagnostics.WarmupDone, () => Done, "{item}", "Items of the current or last warm-up round whose job has ended.");
    }

    public long Items => Volatile.Read(ref _items);

    public long Done => Volatile.Read(ref _done);

    /// <summary>How the round's jobs ended so far, by result.</summary>
    public IReadOnlyDictionary<JobResult, long> Results => _results;

    public DateTimeOffset? StartedAt { get; private set; }

    public DateTimeOffset? FinishedAt { get; private set; }

    public bool IsRunning => StartedAt is not null && FinishedAt is null;

    public void Begin(long items, DateTimeOffset at)
    {
        _results.Clear();
        Volatile.Write(ref _done, 0);
        Volatile.Write(ref _items, items);
        FinishedAt = null;
        StartedAt = at;
    }

    /// <summary>Counts one item's end.</summary>
    /// <returns>The items done so far.</returns>
    public long Ended(JobResult result)
    {
        _results.AddOrUpdate(result, 1, static (_, count) => count + 1);
        return Interlocked.Increment(ref _done);
    }

    public void Finish(DateTimeOffset at) => FinishedAt = at;

    /// <summary>How many times a round or a library listing failed since the start: grows with each failure.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    public WarmupFailure? LastFailure => Volatile.Read(ref _lastFailure);

    /// <summary>A round, or the listing of one library, failed: <paramref name="what"/> says which, without a URL.</summary>
    public void Failed(string what)
    {
        Volatile.Write(ref _lastFailure, new WarmupFailure(what, _time.GetUtcNow()));
        Interlocked.Increment(ref _failures);
    }
}

/// <summary>The last failure of the warm-up, and when.</summary>
internal sealed record WarmupFailure(string What, DateTimeOffset At);

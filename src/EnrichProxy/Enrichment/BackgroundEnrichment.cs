using EnrichProxy.Caching;
using EnrichProxy.Telemetry;

namespace EnrichProxy.Enrichment;

/// <summary>
/// The background tier, for now a minimal in-process hand-off: what an answer could not wait for is
/// finished here, once per item however many answers asked. The bounded queue of issue 7 replaces it.
/// </summary>
internal sealed partial class BackgroundEnrichment
{
    /// <summary>The kind of these jobs in the queue metrics.</summary>
    public const string JobKind = "enrich";

    private readonly SingleFlight<bool> _jobs = new();
    private readonly QueueMetrics _queue;
    private readonly ILogger<BackgroundEnrichment> _logger;

    public BackgroundEnrichment(QueueMetrics queue, ILogger<BackgroundEnrichment> logger)
    {
        ArgumentNullException.ThrowIfNull(queue);
        _queue = queue;
        _logger = logger;
        queue.Prime(JobKind, QueueMetrics.Stored, QueueMetrics.NotStored, QueueMetrics.Failed);
    }

    /// <summary>Runs <paramref name="work"/> for <paramref name="key"/> unless a job for it is already running.</summary>
    public void Run(string key, Func<Task<bool>> work) => _jobs.Run(key, (Self: this, Key: key, Work: work), static s => s.Self.RunAsync(s.Key, s.Work));

    private async Task<bool> RunAsync(string key, Func<Task<bool>> work)
    {
        _queue.Started();
        var result = QueueMetrics.Failed;
        try
        {
            var completed = await work().ConfigureAwait(false);
            result = completed ? QueueMetrics.Stored : QueueMetrics.NotStored;
            return completed;
        }
#pragma warning disable CA1031 // A background job must never take anything down; the next request tries again.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            var error = exception.GetType().Name;
            LogJobFailed(_logger, key, error);
            return false;
        }
        finally
        {
            _queue.Ended(JobKind, result);
        }
    }

    [LoggerMessage(EventId = 6001, EventName = "EnrichmentJobFailed", Level = LogLevel.Warning,
        Message = "Completing {Item} in the background failed ({Error}); the next request tries again")]
    private static partial void LogJobFailed(ILogger logger, string item, string error);
}

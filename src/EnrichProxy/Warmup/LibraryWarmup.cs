using System.Globalization;
using System.Text.Json;
using EnrichProxy.Background;
using EnrichProxy.Configuration;
using EnrichProxy.Enrichment;
using EnrichProxy.Upstreams;
using EnrichProxy.Upstreams.Resilience;
using Microsoft.Extensions.Options;

namespace EnrichProxy.Warmup;

/// <summary>
/// The warm-up: once the app has started and then every <see cref="WarmupOptions.Interval"/>, reads the
/// Radarr, Sonarr and Lidarr libraries the proxy holds a key for, and queues every item's document at the
/// lowest priority. A round ends when all its jobs have; the next starts no earlier.
/// </summary>
internal sealed partial class LibraryWarmup(
    BackgroundQueue queue,
    ItemResolver resolver,
    IUpstreamFetcher fetcher,
    UpstreamRegistry upstreams,
    WarmupProgress progress,
    WarmupTrigger trigger,
    IOptions<EnrichProxyOptions> options,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<LibraryWarmup> logger) : BackgroundService
{
    // An Arr library list is read whole; this bounds what one can take (about 50,000 movies).
    private const long MaxListingBytes = 256L * 1024 * 1024;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value.Warmup;
        if (!settings.Enabled)
        {
            return;
        }

        try
        {
            await WhenStartedAsync(stoppingToken);
            using var timer = new PeriodicTimer(settings.Interval, time);
            var next = new NextRound(timer, trigger);
            do
            {
                try
                {
                    await RunRoundAsync(stoppingToken);
                }
#pragma warning disable CA1031 // A failed round must not stop the proxy; the next one tries again.
                catch (Exception exception) when (exception is not OperationCanceledException)
#pragma warning restore CA1031
                {
                    LogRoundFailed(logger, exception.GetType().Name);
                    progress.Failed($"round failed: {exception.GetType().Name}");
                }
            }
            while (await next.WaitAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: what is queued is left to the queue's drain.
        }
    }

    /// <summary>One round: reads the libraries, queues every item, and waits until each item's job has ended.</summary>
    private async Task RunRoundAsync(CancellationToken cancellationToken)
    {
        var items = new List<(ItemKindDefinition Kind, ItemKey Item)>();
        var found = new List<string>();
        foreach (var kind in ItemKinds.All)
        {
            if (!upstreams.Get(kind.Library.ClusterId).HasApiKey)
            {
                continue;
            }

            var ids = await ReadListingAsync(kind, cancellationToken);
            items.AddRange(ids.Select(item => (kind, item)));
            found.Add(string.Create(CultureInfo.InvariantCulture, $"{ids.Count} {kind.Name} from {kind.Library.ClusterId}"));
        }

        if (found.Count == 0)
        {
            LogNothingToWarm(logger);
            return;
        }

        var startedAt = time.GetUtcNow();
        progress.Begin(items.Count, startedAt);
        var libraries = string.Join(", ", found);
        LogRoundStarted(logger, items.Count, libraries);
        var round = new Round(items.Count, progress, logger);
        foreach (var (kind, item) in items)
        {
            var job = new BackgroundJob(JobKind.Warmup, "warmup|" + item, QueueLane.Warmup, Depth: 0,
                cancellation => resolver.WarmAsync(kind, item, cancellation))
            {
                Finished = round.Ended,
            };
            // Waits while warm-up items hold half the lane: the other half is for what their answers name.
            if (!await queue.EnqueueAsync(job, cancellationToken))
            {
                round.Ended(JobResult.Cancelled); // The same item still queued from before, or the queue is shutting down.
            }
        }

        await round.Completion.WaitAsync(cancellationToken);
        var finishedAt = time.GetUtcNow();
        progress.Finish(finishedAt);
        var results = string.Join(", ", progress.Results.OrderBy(r => JobLabels.Of(r.Key), StringComparer.Ordinal).Select(r => $"{JobLabels.Of(r.Key)} {r.Value}"));
        var seconds = (finishedAt - startedAt).TotalSeconds;
        LogRoundFinished(logger, items.Count, seconds, results);
    }

    // The whole library, straight from the instance: too large to cache, and only read once a round.
    private async Task<IReadOnlyList<ItemKey>> ReadListingAsync(ItemKindDefinition kind, CancellationToken cancellationToken)
    {
        var listing = kind.Library;
        try
        {
            var answer = await fetcher.FetchAsync(
                new UpstreamRequest(listing.RouteId, listing.Path, string.Empty, [], UpstreamAccess.ProxyKey), MaxListingBytes, new BackgroundPriority(), cancellationToken);
            if (answer is not { StatusCode: >= 200 and < 300, Body: { } body })
            {
                ListingFailed(listing.ClusterId, answer.Body is null ? "too large" : $"status {answer.StatusCode}");
                return [];
            }

            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind != JsonValueKind.Array)
            {
                ListingFailed(listing.ClusterId, "not a JSON array");
                return [];
            }

            return [.. json.RootElement.EnumerateArray()
                .Select(entry => entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty(listing.IdProperty, out var id) ? Text(id) : null)
                .Select(id => ItemKey.TryParse(kind.Kind, id, out var item) ? item : (ItemKey?)null)
                .OfType<ItemKey>()
                .Distinct()];
        }
        catch (JsonException)
        {
            ListingFailed(listing.ClusterId, "not JSON");
            return [];
        }
        catch (Exception exception) when (UpstreamProblem.From(exception) is { } problem)
        {
            ListingFailed(listing.ClusterId, problem.ToString());
            return [];
        }
    }

    private void ListingFailed(string clusterId, string why)
    {
        LogListingFailed(logger, clusterId, why);
        progress.Failed($"{clusterId} library not read: {why}");
    }

    private static string? Text(JsonElement id) => id.ValueKind switch
    {
        JsonValueKind.String => id.GetString(),
        JsonValueKind.Number => id.GetRawText(),
        _ => null,
    };

    private async Task WhenStartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken);
        }
    }

    // The interval's tick or an operator's request, whichever comes first. Each wait stays pending across rounds
    // until it completes: a PeriodicTimer allows one wait at a time, and a request must not be lost.
    private sealed class NextRound(PeriodicTimer timer, WarmupTrigger trigger)
    {
        private Task<bool>? _tick;
        private Task? _asked;

        public async Task<bool> WaitAsync(CancellationToken cancellationToken)
        {
            _tick ??= timer.WaitForNextTickAsync(cancellationToken).AsTask();
            _asked ??= trigger.WaitAsync(cancellationToken);
            var first = await Task.WhenAny(_tick, _asked);
            if (first == _asked)
            {
                _asked = null;
                await first;
                return true;
            }

            _tick = null;
            return await (Task<bool>)first;
        }
    }

    // Counts the round's jobs as they end, and logs each quarter.
    private sealed class Round(long items, WarmupProgress progress, ILogger logger)
    {
        private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Completion => items == 0 ? Task.CompletedTask : _completion.Task;

        public void Ended(JobResult result)
        {
            var done = progress.Ended(result);
            var quarter = done * 4 / items;
            if (quarter > (done - 1) * 4 / items && done < items)
            {
                LogRoundProgress(logger, done, items, quarter * 25);
            }

            if (done == items)
            {
                _completion.TrySetResult();
            }
        }
    }

    [LoggerMessage(EventId = 7201, EventName = "WarmupStarted", Level = LogLevel.Information,
        Message = "Warm-up started: {Items} items queued ({Found})")]
    private static partial void LogRoundStarted(ILogger logger, long items, string found);

    [LoggerMessage(EventId = 7202, EventName = "WarmupProgress", Level = LogLevel.Information,
        Message = "Warm-up {Done}/{Items} items done ({Percent}%)")]
    private static partial void LogRoundProgress(ILogger logger, long done, long items, long percent);

    [LoggerMessage(EventId = 7203, EventName = "WarmupFinished", Level = LogLevel.Information,
        Message = "Warm-up finished: {Items} items in {Seconds:F1} s ({Results})")]
    private static partial void LogRoundFinished(ILogger logger, long items, double seconds, string results);

    [LoggerMessage(EventId = 7204, EventName = "WarmupListingFailed", Level = LogLevel.Warning,
        Message = "Warm-up could not read the library of {Cluster} ({Error}); it is tried again next round")]
    private static partial void LogListingFailed(ILogger logger, string cluster, string error);

    [LoggerMessage(EventId = 7206, EventName = "WarmupRoundFailed", Level = LogLevel.Error,
        Message = "A warm-up round failed ({Error}); the next one runs on schedule")]
    private static partial void LogRoundFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 7205, EventName = "WarmupNothingToRead", Level = LogLevel.Information,
        Message = "Warm-up has no library to read: no Radarr, Sonarr or Lidarr key is configured")]
    private static partial void LogNothingToWarm(ILogger logger);
}

using System.Text.Json;
using EnrichProxy.Background;
using EnrichProxy.Caching;
using EnrichProxy.Configuration;
using EnrichProxy.Upstreams;
using Microsoft.Extensions.Options;

namespace EnrichProxy.Prefetching;

/// <summary>
/// Queues what an answer names by its policy's prefetch rules, for the background to read through the
/// proxy's own cached routes: a prefetched answer is an ordinary entry, and the request that follows is a HIT.
/// It listens to the cache's fills while the host runs.
/// </summary>
internal sealed partial class Prefetcher(
    FillListeners fills,
    BackgroundQueue queue,
    ProxyReads reads,
    ReadThroughCache cache,
    PrefetchRules rules,
    UpstreamRegistry upstreams,
    IOptions<EnrichProxyOptions> options,
    ILogger<Prefetcher> logger) : IFillListener, IHostedService
{
    private readonly QueueOptions _limits = options.Value.Queue;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        fills.Add(this);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        fills.Remove(this);
        return Task.CompletedTask;
    }

    /// <summary>Queues the prefetches the rules of <paramref name="read"/>'s policy find in <paramref name="entry"/>, the upstream's answer to it.</summary>
    public void Stored(CacheRead read, CachedResponse entry)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(entry);
        var policyRules = rules.For(read.Policy.Name);
        if (policyRules.Count == 0)
        {
            return;
        }

        var trigger = BackgroundWork.Current;
        var depth = (trigger?.Depth ?? 0) + 1;

        // The background never spends a client's own credentials.
        if (depth > _limits.MaxPrefetchDepth || !read.Request.Access.SpendsNoClientCredential || !LooksLikeJson(entry.Body))
        {
            return;
        }

        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(entry.Body);
        }
        catch (JsonException)
        {
            return;
        }

        using (json)
        {
            var lane = trigger?.Lane == QueueLane.Warmup ? QueueLane.Warmup : QueueLane.Prefetch;
            var keyName = upstreams.Get(read.Route.ClusterId ?? string.Empty).EffectiveKeyName;
            var budget = _limits.MaxPrefetchFanOut;
            foreach (var rule in policyRules)
            {
                var targets = rule.Expand(json.RootElement, read.Request.Query, name => ClientCredentials.IsCredentialQueryParameter(name, keyName), budget);
                budget -= targets.Count;
                foreach (var target in targets)
                {
                    Queue(target, read.Request, lane, depth);
                }

                if (budget <= 0)
                {
                    break;
                }
            }
        }
    }

    private void Queue(string target, UpstreamRequest answered, QueueLane lane, int depth)
    {
        var queryStart = target.IndexOf('?', StringComparison.Ordinal);
        var path = PathString.FromUriComponent(queryStart < 0 ? target : target[..queryStart]).Value ?? "/";
        var query = queryStart < 0 ? string.Empty : target[queryStart..];
        if (reads.ForPath(path, query, headersFrom: answered) is not { } read)
        {
            LogNoCachedRoute(logger, path);
            return;
        }

        queue.TryEnqueue(new BackgroundJob(JobKind.Prefetch, "prefetch|" + read.Key, lane, depth, async cancellationToken =>
            await cache.ReadAsync(read, cancellationToken) switch
            {
                ReadResult.Filled { Entry.StatusCode: >= 200 and < 300 } => JobResult.Stored,
                ReadResult.Filled or ReadResult.Private or ReadResult.Failed { Problem.Kind: UpstreamProblemKind.ErrorAnswer } => JobResult.NotStored,
                ReadResult.Failed or ReadResult.Forward => JobResult.Failed,
                _ => JobResult.Cached,
            }));
    }

    private static bool LooksLikeJson(ReadOnlySpan<byte> body)
    {
        var start = body.TrimStart(" \t\r\n"u8);
        return !start.IsEmpty && (start[0] == (byte)'{' || start[0] == (byte)'[');
    }

    [LoggerMessage(EventId = 7101, EventName = "PrefetchWithoutCachedRoute", Level = LogLevel.Debug,
        Message = "Prefetch of {Path} skipped: no cached route answers it")]
    private static partial void LogNoCachedRoute(ILogger logger, string path);
}

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
/// </summary>
internal sealed partial class Prefetcher(
    BackgroundQueue queue, RouteFinder routes, UpstreamRegistry upstreams, IServiceProvider services, IOptions<EnrichProxyOptions> options, ILogger<Prefetcher> logger)
{
    private readonly QueueOptions _limits = options.Value.Queue;

    // The reader sits on the cache, which calls this class: resolved on first use to keep construction acyclic.
    private CachedRouteReader? _reader;

    /// <summary>Queues the prefetches <paramref name="policy"/>'s rules find in <paramref name="answer"/>, the upstream's answer to <paramref name="answered"/>.</summary>
    public void Schedule(FillRequest answered, CachePolicy policy, CachedResponse answer)
    {
        ArgumentNullException.ThrowIfNull(answered);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(answer);
        if (policy.Prefetch.Count == 0)
        {
            return;
        }

        var trigger = BackgroundWork.Current;
        var depth = (trigger?.Depth ?? 0) + 1;

        // Only answers every client shares: the background never spends a client's own API key.
        if (depth > _limits.MaxPrefetchDepth || answered.Access.Partition is not null || !LooksLikeJson(answer.Body))
        {
            return;
        }

        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(answer.Body);
        }
        catch (JsonException)
        {
            return;
        }

        using (json)
        {
            var lane = trigger?.Lane == QueueLane.Warmup ? QueueLane.Warmup : QueueLane.Prefetch;
            var keyName = upstreams.Get(ClusterOf(answered)).EffectiveKeyName;
            var budget = _limits.MaxPrefetchFanOut;
            foreach (var rule in policy.Prefetch)
            {
                var targets = rule.Expand(json.RootElement, answered.Query, name => ClientCredentials.IsCredentialQueryParameter(name, keyName), budget);
                budget -= targets.Count;
                foreach (var target in targets)
                {
                    Queue(target, answered, lane, depth);
                }

                if (budget <= 0)
                {
                    break;
                }
            }
        }
    }

    private void Queue(string target, FillRequest answered, QueueLane lane, int depth)
    {
        var queryStart = target.IndexOf('?', StringComparison.Ordinal);
        var path = PathString.FromUriComponent(queryStart < 0 ? target : target[..queryStart]).Value ?? "/";
        var query = queryStart < 0 ? string.Empty : target[queryStart..];
        if (!routes.TryFind(path, query, out var match))
        {
            LogNoCachedRoute(logger, path);
            return;
        }

        var (route, policy, values) = match;
        var headers = policy.VaryByHeaders
            .Select(name => (Name: name, Value: answered.HeaderValue(name)))
            .Where(header => header.Value is not null)
            .Select(header => new KeyValuePair<string, string>(header.Name, header.Value!))
            .ToArray();
        var fill = new FillRequest(route.RouteId, path, query, headers, UpstreamAccess.ProxyKey, values);
        var reader = _reader ??= services.GetRequiredService<CachedRouteReader>();
        var key = reader.KeyOf(fill, route, policy);
        queue.TryEnqueue(new BackgroundJob(JobKinds.Prefetch, "prefetch|" + key, lane, depth, async cancellationToken =>
        {
            var answer = await reader.ReadAsync(key, fill, route, policy, cancellationToken).ConfigureAwait(false);
            return answer.Result switch
            {
                CacheResult.Miss when answer.IsSuccess => JobKinds.Stored,
                CacheResult.Miss => JobKinds.NotStored,
                _ => JobKinds.Cached,
            };
        }));
    }

    private string ClusterOf(FillRequest request) =>
        routes.ClusterOf(request.RouteId) ?? string.Empty;

    private static bool LooksLikeJson(ReadOnlySpan<byte> body)
    {
        var start = body.TrimStart(" \t\r\n"u8);
        return !start.IsEmpty && (start[0] == (byte)'{' || start[0] == (byte)'[');
    }

    [LoggerMessage(EventId = 7101, EventName = "PrefetchWithoutCachedRoute", Level = LogLevel.Debug,
        Message = "Prefetch of {Path} skipped: no cached route answers it")]
    private static partial void LogNoCachedRoute(ILogger logger, string path);
}

using System.Text.Json;
using System.Text.Json.Nodes;
using EnrichProxy.Caching;
using EnrichProxy.Upstreams;

namespace EnrichProxy.Enrichment;

/// <summary>Reads one tier's JSON through a cached route; a tier that cannot answer is logged once and reads as null.</summary>
internal sealed partial class TierReader(ProxyReads reads, ReadThroughCache cache, UpstreamRegistry upstreams, ILogger<TierReader> logger)
{
    /// <summary>Whether the proxy holds a key for <paramref name="clusterId"/>: an Arr instance without one is not asked.</summary>
    public bool HasKey(string clusterId) => upstreams.Get(clusterId).HasApiKey;

    /// <summary>The answer's status and JSON (null when it is not JSON), or null when the upstream could not be asked or gave nothing to use.</summary>
    public async Task<TierAnswer?> ReadAsync(string tier, string routeId, string path, string query, CancellationToken cancellationToken)
    {
        if (reads.ForRoute(routeId, path, query) is not { } read)
        {
            LogTierFailed(logger, tier, path, "no cached route answers it");
            return null;
        }

        var result = await cache.ReadAsync(read, cancellationToken);
        if (result is ReadResult.Forward { Reason: ForwardReason.NotShared })
        {
            // It joined a fill whose answer belonged to the read that started it: this read asks for its own.
            result = await cache.ReadAsync(read, cancellationToken);
        }

        switch (result)
        {
            case { Response: { } entry }:
                return Answer(entry);
            case ReadResult.Failed failed:
                LogTierFailed(logger, tier, path, failed.Problem.ToString());
                return null;
            default:
                LogTierFailed(logger, tier, path, $"not answered from the cache ({(result as ReadResult.Forward)?.Reason})");
                return null;
        }
    }

    private static TierAnswer Answer(CachedResponse entry)
    {
        try
        {
            return new TierAnswer(entry.StatusCode, JsonNode.Parse(entry.Body));
        }
        catch (JsonException)
        {
            return new TierAnswer(entry.StatusCode, null);
        }
    }

    [LoggerMessage(EventId = 6002, EventName = "EnrichmentTierFailed", Level = LogLevel.Warning,
        Message = "The {Tier} tier could not answer {Path} ({Error})")]
    private static partial void LogTierFailed(ILogger logger, string tier, string path, string error);
}

/// <summary>What a tier's upstream answered: its status and its JSON (null when the body is not JSON).</summary>
internal sealed record TierAnswer(int StatusCode, JsonNode? Json)
{
    public bool IsSuccess => StatusCode is >= 200 and < 300;
}

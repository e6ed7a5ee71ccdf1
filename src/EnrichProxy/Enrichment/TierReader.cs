using System.Text.Json;
using System.Text.Json.Nodes;
using EnrichProxy.Caching;
using EnrichProxy.Upstreams;
using EnrichProxy.Upstreams.Resilience;

namespace EnrichProxy.Enrichment;

/// <summary>Reads one tier's JSON through a cached route; a tier that cannot answer is logged once and reads as null.</summary>
internal sealed partial class TierReader(CachedRouteReader routes, UpstreamRegistry upstreams, ILogger<TierReader> logger)
{
    /// <summary>Whether the proxy holds a key for <paramref name="clusterId"/>: an Arr instance without one is not asked.</summary>
    public bool HasKey(string clusterId) => upstreams.Get(clusterId).HasApiKey;

    /// <summary>The answer and its JSON (null when it is not JSON), or null when the upstream could not be asked or did not answer.</summary>
    public async Task<(RouteAnswer Answer, JsonNode? Json)?> ReadAsync(string tier, string routeId, string path, string query, CancellationToken cancellationToken)
    {
        RouteAnswer answer;
        try
        {
            answer = await routes.GetAsync(routeId, path, query, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is UpstreamRefusedException or TimeoutException or HttpRequestException or IOException
            or UpstreamUnavailableException or InvalidOperationException)
        {
            var error = exception.GetType().Name;
            LogTierFailed(logger, tier, path, error);
            return null;
        }

        try
        {
            return (answer, JsonNode.Parse(answer.Body.Span));
        }
        catch (JsonException)
        {
            return (answer, null);
        }
    }

    [LoggerMessage(EventId = 6002, EventName = "EnrichmentTierFailed", Level = LogLevel.Warning,
        Message = "The {Tier} tier could not answer {Path} ({Error})")]
    private static partial void LogTierFailed(ILogger logger, string tier, string path, string error);
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EnrichProxy.Caching;
using EnrichProxy.Configuration;
using EnrichProxy.Enrichment.Overrides;
using EnrichProxy.Upstreams;
using EnrichProxy.Upstreams.Resilience;
using Microsoft.Extensions.Options;

namespace EnrichProxy.Enrichment.Movies;

/// <summary>
/// The priority chain for a movie: the cached document; Radarr's library; the operator's overrides;
/// TMDb; and, for what an answer could not wait for, the background. Every upstream read goes through
/// the proxy's own cached routes (<c>radarr-movie</c>, <c>tmdb-movie</c>), so it shares their cache,
/// purges, rate limits and circuit breakers.
/// </summary>
internal sealed partial class MovieResolver(
    CachedRouteReader routes,
    IOverrideStore overrides,
    EnrichedDocuments documents,
    BackgroundEnrichment background,
    UpstreamRegistry upstreams,
    IOptions<EnrichProxyOptions> options,
    TimeProvider time,
    ILogger<MovieResolver> logger)
{
    public const string RadarrCluster = "radarr";
    public const string RadarrRoute = "radarr-movie";
    public const string TmdbRoute = "tmdb-movie";

    /// <summary>The document of <paramref name="item"/>, with only <paramref name="fields"/> when given (null: every field).</summary>
    public async Task<EnrichmentAnswer> ResolveAsync(ItemKey item, IReadOnlyList<string>? fields, CancellationToken cancellationToken)
    {
        if (await documents.GetAsync(item, Tags(item), allowStale: false, cancellationToken).ConfigureAwait(false) is { } cached)
        {
            return EnrichmentAnswer.Found(DocumentAssembly.Project(cached, fields), Tiers.Cache, []);
        }

        return await AssembleAsync(item, fields, inBackground: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The tags whose purges cover the movie's document: its own, and that of its TMDb routes.</summary>
    public static IReadOnlyList<string> Tags(ItemKey item) => [EnrichedDocuments.Tag(item), $"tmdb:movie:{item.Id}"];

    private async Task<EnrichmentAnswer> AssembleAsync(ItemKey item, IReadOnlyList<string>? fields, bool inBackground, CancellationToken cancellationToken)
    {
        var asked = fields ?? MovieFields.All;
        var requestedAt = time.GetUtcNow();
        var failed = new List<string>();

        var library = await ReadLibraryAsync(item, failed, cancellationToken).ConfigureAwait(false);
        var own = await ReadOverrideAsync(item, failed, cancellationToken).ConfigureAwait(false);
        var fromLibrary = library is null ? null : MovieFields.FromRadarr(library);

        // External only for what the library and the overrides do not already answer.
        var needExternal = asked.Any(field => own?.Fields.ContainsKey(field) != true && fromLibrary?.ContainsKey(field) != true);
        ExternalAnswer? external = null;
        Task<ExternalAnswer>? stillComing = null;
        if (needExternal)
        {
            var fetch = FetchExternalAsync(item);
            if (!inBackground && (library is not null || own is not null))
            {
                // Something already answers: TMDb gets until the soft timeout, then the answer goes without it.
                var softTimeout = Task.Delay(options.Value.Enrichment.ExternalSoftTimeout, time, cancellationToken);
                if (await Task.WhenAny(fetch, softTimeout).ConfigureAwait(false) == fetch)
                {
                    external = await fetch.ConfigureAwait(false);
                }
                else
                {
                    stillComing = fetch;
                }
            }
            else
            {
                external = await fetch.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        if (external is { Failed: true })
        {
            failed.Add(Tiers.External);
        }

        if (library is null && own is null && external?.Fields is null)
        {
            return await NothingFoundAsync(item, fields, failed, cancellationToken).ConfigureAwait(false);
        }

        var ids = DocumentAssembly.MergeIds(
            new JsonObject { ["tmdb"] = int.Parse(item.Id, CultureInfo.InvariantCulture) },
            library is null ? null : MovieFields.IdsFromRadarr(library),
            external?.Ids);
        var (document, sources) = DocumentAssembly.Merge(ids, asked, (Tiers.Internal, own?.Fields), (Tiers.Arr, fromLibrary), (Tiers.External, external?.Fields));
        document["library"] = library is null ? null : MovieFields.Library(library);
        var complete = stillComing is null && external is not { Failed: true };
        document["sources"] = sources;
        document["complete"] = complete;

        if (fields is null && complete)
        {
            await documents.SetAsync(item, document, requestedAt).ConfigureAwait(false);
        }
        else if (fields is null && !inBackground)
        {
            // The background tier: the same chain again without a soft timeout; the TMDb fill still on its
            // way is joined, not sent twice.
            background.Run(item.ToString(), async () =>
                (await AssembleAsync(item, null, inBackground: true, CancellationToken.None).ConfigureAwait(false)).Document?["complete"]?.GetValue<bool>() == true);
        }

        var source = library is not null ? Tiers.Arr : own is not null ? Tiers.Internal : Tiers.External;
        return EnrichmentAnswer.Found(document, source, failed);
    }

    // Nothing anywhere: not found, unless a tier failed to say; then the last document, however old.
    private async Task<EnrichmentAnswer> NothingFoundAsync(ItemKey item, IReadOnlyList<string>? fields, List<string> failed, CancellationToken cancellationToken)
    {
        if (failed.Count == 0)
        {
            return new EnrichmentAnswer(EnrichmentOutcome.NotFound, null, null, []);
        }

        return await documents.GetAsync(item, Tags(item), allowStale: true, cancellationToken).ConfigureAwait(false) is { } stale
            ? EnrichmentAnswer.Found(DocumentAssembly.Project(stale, fields), Tiers.Cache, failed)
            : new EnrichmentAnswer(EnrichmentOutcome.Failed, null, null, failed);
    }

    private async Task<JsonObject?> ReadLibraryAsync(ItemKey item, List<string> failed, CancellationToken cancellationToken)
    {
        if (!upstreams.Get(RadarrCluster).HasApiKey)
        {
            return null; // No Radarr configured: no library to ask.
        }

        var answer = await ReadAsync(RadarrRoute, "/radarr/api/v3/movie", $"?tmdbId={item.Id}", Tiers.Arr, cancellationToken).ConfigureAwait(false);
        if (answer is null || !answer.IsSuccess || Parse(answer) is not JsonArray movies)
        {
            failed.Add(Tiers.Arr);
            return null;
        }

        return movies.OfType<JsonObject>().FirstOrDefault(movie => movie["tmdbId"]?.ToString() == item.Id);
    }

    private async Task<ItemOverride?> ReadOverrideAsync(ItemKey item, List<string> failed, CancellationToken cancellationToken)
    {
        try
        {
            return await overrides.GetAsync(item, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogTierFailed(logger, Tiers.Internal, item.ToString(), exception.GetType().Name);
            failed.Add(Tiers.Internal);
            return null;
        }
    }

    private async Task<ExternalAnswer> FetchExternalAsync(ItemKey item)
    {
        // Not the caller's token: a fill left behind by a soft timeout completes the background document.
        var answer = await ReadAsync(TmdbRoute, $"/tmdb/3/movie/{item.Id}", "?append_to_response=credits,images", Tiers.External, CancellationToken.None).ConfigureAwait(false);
        if (answer is null)
        {
            return ExternalAnswer.Failure;
        }

        if (answer.StatusCode is StatusCodes.Status404NotFound)
        {
            return ExternalAnswer.NotFound;
        }

        return answer.IsSuccess && Parse(answer) is JsonObject movie
            ? new ExternalAnswer(MovieFields.FromTmdb(movie), MovieFields.IdsFromTmdb(movie), Failed: false)
            : ExternalAnswer.Failure;
    }

    // One read through a cached route; null when the upstream could not be asked or did not answer.
    private async Task<RouteAnswer?> ReadAsync(string routeId, string path, string query, string tier, CancellationToken cancellationToken)
    {
        try
        {
            return await routes.GetAsync(routeId, path, query, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is UpstreamRefusedException or TimeoutException or HttpRequestException or IOException
            or UpstreamUnavailableException or InvalidOperationException)
        {
            LogTierFailed(logger, tier, path, exception.GetType().Name);
            return null;
        }
    }

    private static JsonNode? Parse(RouteAnswer answer)
    {
        try
        {
            return JsonNode.Parse(answer.Body.Span);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [LoggerMessage(EventId = 6002, EventName = "EnrichmentTierFailed", Level = LogLevel.Warning,
        Message = "The {Tier} tier could not answer for {Item} ({Error})")]
    private static partial void LogTierFailed(ILogger logger, string tier, string item, string error);

    /// <summary>What TMDb said: the fields and ids, nothing (404), or a failure.</summary>
    private sealed record ExternalAnswer(JsonObject? Fields, JsonObject? Ids, bool Failed)
    {
        public static readonly ExternalAnswer NotFound = new(null, null, Failed: false);
        public static readonly ExternalAnswer Failure = new(null, null, Failed: true);
    }
}

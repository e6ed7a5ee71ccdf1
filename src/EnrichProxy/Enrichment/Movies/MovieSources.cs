using System.Globalization;
using System.Text.Json.Nodes;
using EnrichProxy.Enrichment.Overrides;

namespace EnrichProxy.Enrichment.Movies;

/// <summary>A movie's tiers: Radarr's library (<c>radarr-movie</c>) and TMDb (<c>tmdb-movie</c>, with credits and images).</summary>
internal sealed class MovieSources(TierReader reader) : IItemSources
{
    public const string RadarrCluster = "radarr";
    public const string RadarrRoute = "radarr-movie";
    public const string TmdbRoute = "tmdb-movie";

    public ItemKind Kind => ItemKind.Movies;

    public LibraryListing Listing { get; } = new(RadarrCluster, RadarrRoute, "/radarr/api/v3/movie", "tmdbId");

    public IReadOnlyList<string> Fields => MovieFields.All;

    /// <summary>The document's own tag, and that of its TMDb routes.</summary>
    public IReadOnlyList<string> Tags(ItemKey item) => [EnrichedDocuments.Tag(item), $"tmdb:movie:{item.Id}"];

    public JsonObject Ids(ItemKey item) => new() { ["tmdb"] = int.Parse(item.Id, CultureInfo.InvariantCulture) };

    public async Task<LibraryRead> ReadLibraryAsync(ItemKey item, CancellationToken cancellationToken)
    {
        if (!reader.HasKey(RadarrCluster))
        {
            return LibraryRead.NotConfigured;
        }

        var read = await reader.ReadAsync(Tiers.Arr, RadarrRoute, "/radarr/api/v3/movie", $"?tmdbId={item.Id}", cancellationToken).ConfigureAwait(false);
        if (read is not { Answer.IsSuccess: true, Json: JsonArray movies })
        {
            return LibraryRead.Failure;
        }

        return movies.OfType<JsonObject>().FirstOrDefault(movie => movie["tmdbId"]?.ToString() == item.Id) is { } found
            ? new LibraryRead(MovieFields.FromRadarr(found), MovieFields.IdsFromRadarr(found), MovieFields.Library(found), Failed: false)
            : LibraryRead.NotInLibrary;
    }

    public async Task<ExternalRead> ReadExternalAsync(ItemKey item)
    {
        var read = await reader.ReadAsync(Tiers.External, TmdbRoute, $"/tmdb/3/movie/{item.Id}", "?append_to_response=credits,images", CancellationToken.None).ConfigureAwait(false);
        return read switch
        {
            null => ExternalRead.Failure,
            { Answer.StatusCode: StatusCodes.Status404NotFound } => ExternalRead.NotFound,
            { Answer.IsSuccess: true, Json: JsonObject movie } => new ExternalRead(MovieFields.FromTmdb(movie), MovieFields.IdsFromTmdb(movie), Failed: false),
            _ => ExternalRead.Failure,
        };
    }
}

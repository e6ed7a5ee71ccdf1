using System.Globalization;
using System.Text.Json.Nodes;
using EnrichProxy.Enrichment.Overrides;

namespace EnrichProxy.Enrichment.Series;

/// <summary>A series' tiers: Sonarr's library (<c>sonarr-series</c>) and TheTVDB v4 (<c>tvdb-series</c>, the extended record, as the proxy's login).</summary>
internal sealed class SeriesSources(TierReader reader) : IItemSources
{
    public const string SonarrCluster = "sonarr";
    public const string SonarrRoute = "sonarr-series";
    public const string TvdbRoute = "tvdb-series";

    public ItemKind Kind => ItemKind.Series;

    public LibraryListing Listing { get; } = new(SonarrCluster, SonarrRoute, "/sonarr/api/v3/series", "tvdbId");

    public IReadOnlyList<string> Fields => SeriesFields.All;

    public IReadOnlyList<string> Tags(ItemKey item) => [EnrichedDocuments.Tag(item)];

    public JsonObject Ids(ItemKey item) => new() { ["tvdb"] = int.Parse(item.Id, CultureInfo.InvariantCulture) };

    public async Task<LibraryRead> ReadLibraryAsync(ItemKey item, CancellationToken cancellationToken)
    {
        if (!reader.HasKey(SonarrCluster))
        {
            return LibraryRead.NotConfigured;
        }

        var read = await reader.ReadAsync(Tiers.Arr, SonarrRoute, "/sonarr/api/v3/series", $"?tvdbId={item.Id}", cancellationToken).ConfigureAwait(false);
        if (read is not { Answer.IsSuccess: true, Json: JsonArray shows })
        {
            return LibraryRead.Failure;
        }

        return shows.OfType<JsonObject>().FirstOrDefault(show => show["tvdbId"]?.ToString() == item.Id) is { } found
            ? new LibraryRead(SeriesFields.FromSonarr(found), SeriesFields.IdsFromSonarr(found), SeriesFields.Library(found), Failed: false)
            : LibraryRead.NotInLibrary;
    }

    public async Task<ExternalRead> ReadExternalAsync(ItemKey item)
    {
        var read = await reader.ReadAsync(Tiers.External, TvdbRoute, $"/tvdb/v4/series/{item.Id}/extended", "?meta=translations&short=false", CancellationToken.None).ConfigureAwait(false);
        return read switch
        {
            null => ExternalRead.Failure,
            { Answer.StatusCode: StatusCodes.Status404NotFound } => ExternalRead.NotFound,
            { Answer.IsSuccess: true, Json: JsonObject { } answer } when answer["data"] is JsonObject series =>
                new ExternalRead(SeriesFields.FromTvdb(series), SeriesFields.IdsFromTvdb(series), Failed: false),
            _ => ExternalRead.Failure,
        };
    }
}

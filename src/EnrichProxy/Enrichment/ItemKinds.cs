using System.Text.Json.Nodes;
using EnrichProxy.Enrichment.Artists;
using EnrichProxy.Enrichment.Movies;
using EnrichProxy.Enrichment.Series;

namespace EnrichProxy.Enrichment;

/// <summary>The kinds of item the enrichment API serves, each described once (<see cref="ItemKindDefinition"/>).</summary>
internal static class ItemKinds
{
    public static readonly ItemKindDefinition Movies = new()
    {
        Kind = ItemKind.Movies,
        Name = "movies",
        IdParameter = "tmdbId",
        IdFormat = ItemIdFormat.PositiveInteger,
        IdDescription = "a TMDb movie id (a positive integer)",
        IdName = "tmdb",
        Summary = "One merged movie document: library first, then overrides, then TMDb.",
        Fields = MovieFields.All,
        CoveringTags = ["tmdb:movie:{id}"],
        Library = new ArrLibrary("radarr", "radarr", "radarr-movie", "/radarr/api/v3/movie", "tmdbId", "tmdbId",
            [["movie", "tmdbId"]],
            movie => new LibraryItem(MovieFields.FromRadarr(movie), MovieFields.IdsFromRadarr(movie), MovieFields.Library(movie))),
        External = new ExternalSource("tmdb-movie", "/tmdb/3/movie/{id}", "?append_to_response=credits,images", [StatusCodes.Status404NotFound],
            json => json is JsonObject movie ? new ExternalFields(MovieFields.FromTmdb(movie), MovieFields.IdsFromTmdb(movie)) : null),
    };

    public static readonly ItemKindDefinition Series = new()
    {
        Kind = ItemKind.Series,
        Name = "series",
        IdParameter = "tvdbId",
        IdFormat = ItemIdFormat.PositiveInteger,
        IdDescription = "a TheTVDB series id (a positive integer)",
        IdName = "tvdb",
        Summary = "One merged series document: library first, then overrides, then TheTVDB.",
        Fields = SeriesFields.All,
        Library = new ArrLibrary("sonarr", "sonarr", "sonarr-series", "/sonarr/api/v3/series", "tvdbId", "tvdbId",
            [["series", "tvdbId"]],
            series => new LibraryItem(SeriesFields.FromSonarr(series), SeriesFields.IdsFromSonarr(series), SeriesFields.Library(series))),
        // TheTVDB v4's extended record, read with the proxy's login.
        External = new ExternalSource("tvdb-series", "/tvdb/v4/series/{id}/extended", "?meta=translations&short=false", [StatusCodes.Status404NotFound],
            json => json["data"] is JsonObject series ? new ExternalFields(SeriesFields.FromTvdb(series), SeriesFields.IdsFromTvdb(series)) : null),
    };

    public static readonly ItemKindDefinition Artists = new()
    {
        Kind = ItemKind.Artists,
        Name = "artists",
        IdParameter = "mbid",
        IdFormat = ItemIdFormat.Mbid,
        IdDescription = "a MusicBrainz artist id (an MBID such as b8a7c51f-362c-4dcb-a259-bc6e0095f0a6)",
        IdName = "musicbrainz",
        Summary = "One merged artist document: library first, then overrides, then MusicBrainz and Fanart.tv.",
        Fields = ArtistFields.All,
        Library = new ArrLibrary("lidarr", "lidarr", "lidarr-artist", "/lidarr/api/v1/artist", "mbId", "foreignArtistId",
            [["artist", "mbId"], ["artist", "foreignArtistId"]],
            artist => new LibraryItem(ArtistFields.FromLidarr(artist), null, ArtistFields.Library(artist))),
        // MusicBrainz answers 400 for an MBID it does not know.
        External = new ExternalSource("musicbrainz-artist", "/musicbrainz/ws/2/artist/{id}", "?inc=release-groups+genres&fmt=json",
            [StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound],
            json => json is JsonObject artist ? new ExternalFields(ArtistFields.FromMusicBrainz(artist), null) : null),
        Images = new ExternalSource("fanart-images", "/fanart/v3/music/{id}", string.Empty, [StatusCodes.Status404NotFound],
            json => json is JsonObject images
                ? new ExternalFields(ArtistFields.ImagesFromFanart(images) is { } byKind ? new JsonObject { ["images"] = byKind } : [], null)
                : null,
            KeyCluster: "fanart"),
    };

    public static readonly IReadOnlyList<ItemKindDefinition> All = [Movies, Series, Artists];

    public static ItemKindDefinition Of(ItemKind kind) => kind switch
    {
        ItemKind.Movies => Movies,
        ItemKind.Series => Series,
        _ => Artists,
    };

    /// <summary>The kind named <paramref name="name"/> in a path (<c>movies</c>), any case.</summary>
    public static ItemKindDefinition? Named(string? name) =>
        All.FirstOrDefault(kind => string.Equals(kind.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The kind whose library is the Arr app <paramref name="app"/> (<c>radarr</c>), any case.</summary>
    public static ItemKindDefinition? OfApp(string? app) =>
        All.FirstOrDefault(kind => string.Equals(kind.Library.App, app, StringComparison.OrdinalIgnoreCase));
}

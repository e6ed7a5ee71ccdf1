using System.Text.Json.Nodes;
using EnrichProxy.Enrichment.Overrides;

namespace EnrichProxy.Enrichment.Webhooks;

/// <summary>What differs between the Arr apps' webhooks: their cluster, and where the payload names its item.</summary>
internal sealed class ArrApp
{
    private static readonly ArrApp[] Apps =
    [
        new("radarr", "radarr", ItemKind.Movies, payload => Fields.At(payload, "movie", "tmdbId")),
        new("sonarr", "sonarr", ItemKind.Series, payload => Fields.At(payload, "series", "tvdbId")),
        new("lidarr", "lidarr", ItemKind.Artists, payload => Fields.At(payload, "artist", "mbId") ?? Fields.At(payload, "artist", "foreignArtistId")),
    ];

    // Events that may change the library without naming one item (a rename of many, a bulk delete).
    private static readonly HashSet<string> LibraryEvents = new(StringComparer.OrdinalIgnoreCase)
    {
        "Download", "Grab", "Rename", "MovieAdded", "MovieDelete", "MovieFileDelete", "SeriesAdd", "SeriesDelete",
        "EpisodeFileDelete", "ArtistAdd", "ArtistDelete", "AlbumDelete", "Retag", "TrackRetag", "ImportFailure", "ManualInteractionRequired",
    };

    private readonly Func<JsonObject, JsonNode?> _itemId;

    private ArrApp(string name, string clusterId, ItemKind kind, Func<JsonObject, JsonNode?> itemId)
    {
        Name = name;
        ClusterId = clusterId;
        Kind = kind;
        _itemId = itemId;
    }

    public string Name { get; }

    public string ClusterId { get; }

    public ItemKind Kind { get; }

    public static ArrApp? Find(string name) => Apps.FirstOrDefault(app => string.Equals(app.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The item the payload names (a movie's TMDb id, a series' TheTVDB id, an artist's MBID), if any.</summary>
    public ItemKey? ItemOf(JsonObject payload) =>
        _itemId(payload)?.ToString() is { } id && ItemKey.TryParse(Kind, id, out var item) ? item : null;

    public static bool ChangesLibrary(string eventType) => LibraryEvents.Contains(eventType);

    /// <summary>The Arr's "Test" button sends a made-up item (Sonarr's names TheTVDB id 1234): never a purge.</summary>
    public static bool IsTest(string eventType) => string.Equals(eventType, "Test", StringComparison.OrdinalIgnoreCase);
}

using System.Text.Json.Nodes;

namespace EnrichProxy.Enrichment.Webhooks;

/// <summary>What the Arr apps' webhook events mean for the cache: which change the library, which name an item.</summary>
internal static class ArrWebhookEvents
{
    // Events that may change the library without naming one item (a rename of many, a bulk delete).
    private static readonly HashSet<string> LibraryEvents = new(StringComparer.OrdinalIgnoreCase)
    {
        "Download", "Grab", "Rename", "MovieAdded", "MovieDelete", "MovieFileDelete", "SeriesAdd", "SeriesDelete",
        "EpisodeFileDelete", "ArtistAdd", "ArtistDelete", "AlbumDelete", "Retag", "TrackRetag", "ImportFailure", "ManualInteractionRequired",
    };

    // Events that change nothing the proxy holds.
    private static readonly HashSet<string> OtherEvents = new(StringComparer.OrdinalIgnoreCase)
    {
        "Test", "Health", "HealthRestored", "ApplicationUpdate", "DownloadFailure", "ImportComplete", "AlbumDownload",
    };

    public static bool ChangesLibrary(string eventType) => LibraryEvents.Contains(eventType);

    /// <summary>Whether the event is one the Arr apps send (Radarr, Sonarr, Lidarr): anything else is refused, and never logged.</summary>
    public static bool IsKnown(string eventType) => LibraryEvents.Contains(eventType) || OtherEvents.Contains(eventType);

    /// <summary>The Arr's "Test" button sends a made-up item (Sonarr's names TheTVDB id 1234): never a purge.</summary>
    public static bool IsTest(string eventType) => string.Equals(eventType, "Test", StringComparison.OrdinalIgnoreCase);

    /// <summary>The item a payload names (a movie's TMDb id, a series' TheTVDB id, an artist's MBID), where the kind's library says, if any.</summary>
    public static ItemKey? ItemOf(ItemKindDefinition kind, JsonObject payload)
    {
        ArgumentNullException.ThrowIfNull(kind);
        foreach (var path in kind.Library.WebhookIdPaths)
        {
            if (Fields.At(payload, path)?.ToString() is { } id)
            {
                return ItemKey.TryParse(kind.Kind, id, out var item) ? item : null;
            }
        }

        return null;
    }
}

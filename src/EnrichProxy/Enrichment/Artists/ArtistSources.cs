using System.Text.Json.Nodes;
using EnrichProxy.Enrichment.Overrides;

namespace EnrichProxy.Enrichment.Artists;

/// <summary>
/// An artist's tiers: Lidarr's library (<c>lidarr-artist</c>); MusicBrainz (<c>musicbrainz-artist</c>, with
/// release groups and genres) and, when the proxy holds a Fanart.tv key, Fanart.tv's images (<c>fanart-images</c>).
/// </summary>
internal sealed class ArtistSources(TierReader reader) : IItemSources
{
    public const string LidarrCluster = "lidarr";
    public const string FanartCluster = "fanart";
    public const string LidarrRoute = "lidarr-artist";
    public const string MusicBrainzRoute = "musicbrainz-artist";
    public const string FanartRoute = "fanart-images";

    public ItemKind Kind => ItemKind.Artists;

    public LibraryListing Listing { get; } = new(LidarrCluster, LidarrRoute, "/lidarr/api/v1/artist", "foreignArtistId");

    public IReadOnlyList<string> Fields => ArtistFields.All;

    public IReadOnlyList<string> Tags(ItemKey item) => [EnrichedDocuments.Tag(item)];

    public JsonObject Ids(ItemKey item) => new() { ["musicbrainz"] = item.Id };

    public async Task<LibraryRead> ReadLibraryAsync(ItemKey item, CancellationToken cancellationToken)
    {
        if (!reader.HasKey(LidarrCluster))
        {
            return LibraryRead.NotConfigured;
        }

        var read = await reader.ReadAsync(Tiers.Arr, LidarrRoute, "/lidarr/api/v1/artist", $"?mbId={item.Id}", cancellationToken).ConfigureAwait(false);
        if (read is not { Answer.IsSuccess: true, Json: JsonArray artists })
        {
            return LibraryRead.Failure;
        }

        return artists.OfType<JsonObject>().FirstOrDefault(artist => string.Equals(artist["foreignArtistId"]?.ToString(), item.Id, StringComparison.OrdinalIgnoreCase)) is { } found
            ? new LibraryRead(ArtistFields.FromLidarr(found), null, ArtistFields.Library(found), Failed: false)
            : LibraryRead.NotInLibrary;
    }

    public async Task<ExternalRead> ReadExternalAsync(ItemKey item)
    {
        var musicBrainz = reader.ReadAsync(Tiers.External, MusicBrainzRoute, $"/musicbrainz/ws/2/artist/{item.Id}", "?inc=release-groups+genres&fmt=json", CancellationToken.None);
        var fanart = reader.HasKey(FanartCluster)
            ? reader.ReadAsync(Tiers.External, FanartRoute, $"/fanart/v3/music/{item.Id}", string.Empty, CancellationToken.None)
            : null;

        var artist = await musicBrainz.ConfigureAwait(false);
        if (artist is null || artist.Value.Answer.StatusCode >= 500 || artist.Value.Answer.StatusCode is StatusCodes.Status429TooManyRequests or StatusCodes.Status401Unauthorized)
        {
            return ExternalRead.Failure;
        }

        if (artist is not { Answer.IsSuccess: true, Json: JsonObject found })
        {
            return ExternalRead.NotFound; // 404, or 400 for an MBID MusicBrainz does not know.
        }

        var fields = ArtistFields.FromMusicBrainz(found);
        var incomplete = false;
        if (fanart is not null)
        {
            var images = await fanart.ConfigureAwait(false);
            if (images is { Answer.IsSuccess: true, Json: JsonObject fanartArtist })
            {
                if (ArtistFields.ImagesFromFanart(fanartArtist) is { } byKind)
                {
                    fields["images"] = byKind;
                }
            }
            else if (images is not { Answer.StatusCode: StatusCodes.Status404NotFound })
            {
                incomplete = true; // The images are still to come: the background tries again.
            }
        }

        return new ExternalRead(fields, new JsonObject { ["musicbrainz"] = item.Id }, Failed: false, Incomplete: incomplete);
    }
}

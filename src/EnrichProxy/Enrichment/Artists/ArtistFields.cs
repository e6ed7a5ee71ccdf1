using System.Text.Json.Nodes;

namespace EnrichProxy.Enrichment.Artists;

/// <summary>The fields of an artist document, and how Lidarr's, MusicBrainz's and Fanart.tv's answers map onto them.</summary>
internal static class ArtistFields
{
    public static readonly IReadOnlyList<string> All =
        ["name", "sortName", "type", "country", "disambiguation", "overview", "genres", "ratings", "images", "releaseGroups"];

    // Fanart.tv's kinds of artist image, by the names the document gives them.
    private static readonly (string Fanart, string Kind)[] FanartKinds =
        [("artistthumb", "thumb"), ("artistbackground", "background"), ("hdmusiclogo", "logo"), ("musiclogo", "logo"), ("musicbanner", "banner")];

    /// <summary>One item of Lidarr's <c>GET /api/v1/artist?mbId=</c>.</summary>
    public static JsonObject FromLidarr(JsonObject artist)
    {
        ArgumentNullException.ThrowIfNull(artist);
        var fields = new JsonObject();
        Fields.Copy(fields, "name", artist["artistName"]);
        Fields.Copy(fields, "sortName", artist["sortName"]);
        Fields.Copy(fields, "type", artist["artistType"]);
        Fields.Copy(fields, "disambiguation", artist["disambiguation"]);
        Fields.Copy(fields, "overview", artist["overview"]);
        if (artist["genres"] is JsonArray { Count: > 0 } genres)
        {
            fields["genres"] = genres.DeepClone();
        }

        if (artist["ratings"] is JsonObject { Count: > 0 } rating && rating["value"] is not null)
        {
            fields["ratings"] = new JsonObject { ["lidarr"] = new JsonObject { ["value"] = rating["value"]!.DeepClone(), ["votes"] = rating["votes"]?.DeepClone() } };
        }

        if (Fields.ImagesByKind(artist["images"]) is { } images)
        {
            fields["images"] = images;
        }

        return fields;
    }

    public static JsonObject Library(JsonObject artist)
    {
        ArgumentNullException.ThrowIfNull(artist);
        return new JsonObject
        {
            ["instance"] = "lidarr",
            ["monitored"] = artist["monitored"]?.DeepClone(),
            ["hasFile"] = Fields.At(artist, "statistics", "trackFileCount") is JsonValue count && count.TryGetValue<int>(out var files) ? files > 0 : null,
            ["path"] = artist["path"]?.DeepClone(),
            ["quality"] = null, // Per track in Lidarr; the profile says what is wanted.
            ["qualityProfileId"] = artist["qualityProfileId"]?.DeepClone(),
            ["added"] = artist["added"]?.DeepClone(),
        };
    }

    /// <summary>MusicBrainz's <c>GET /ws/2/artist/{mbid}?inc=release-groups+genres&amp;fmt=json</c>.</summary>
    public static JsonObject FromMusicBrainz(JsonObject artist)
    {
        ArgumentNullException.ThrowIfNull(artist);
        var fields = new JsonObject();
        Fields.Copy(fields, "name", artist["name"]);
        Fields.Copy(fields, "sortName", artist["sort-name"]);
        Fields.Copy(fields, "type", artist["type"]);
        Fields.Copy(fields, "country", artist["country"]);
        Fields.Copy(fields, "disambiguation", artist["disambiguation"]);
        if (artist["genres"] is JsonArray { Count: > 0 } genres)
        {
            fields["genres"] = new JsonArray([.. genres.OfType<JsonObject>().Select(genre => genre["name"]?.DeepClone())]);
        }

        if (artist["release-groups"] is JsonArray groups)
        {
            fields["releaseGroups"] = new JsonArray([.. groups.OfType<JsonObject>().Select(group => new JsonObject
            {
                ["mbid"] = group["id"]?.DeepClone(),
                ["title"] = group["title"]?.DeepClone(),
                ["type"] = group["primary-type"]?.DeepClone(),
                ["secondaryTypes"] = group["secondary-types"]?.DeepClone(),
                ["firstReleaseDate"] = group["first-release-date"]?.DeepClone(),
            })]);
        }

        return fields;
    }

    /// <summary>Fanart.tv's <c>GET /v3/music/{mbid}</c>: image URLs by kind, best liked first as it sends them.</summary>
    public static JsonObject? ImagesFromFanart(JsonObject artist)
    {
        ArgumentNullException.ThrowIfNull(artist);
        var images = new JsonObject();
        foreach (var (fanart, kind) in FanartKinds)
        {
            foreach (var image in (artist[fanart] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                if (Fields.Text(image["url"]) is { Length: > 0 } url)
                {
                    ((JsonArray)(images[kind] ??= new JsonArray())).Add(url);
                }
            }
        }

        return images.Count > 0 ? images : null;
    }
}

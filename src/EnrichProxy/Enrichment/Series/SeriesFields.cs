using System.Globalization;
using System.Text.Json.Nodes;

namespace EnrichProxy.Enrichment.Series;

/// <summary>The fields of a series document, and how Sonarr's and TheTVDB v4's answers map onto them.</summary>
internal static class SeriesFields
{
    public static readonly IReadOnlyList<string> All =
        ["title", "year", "overview", "runtime", "genres", "ratings", "images", "cast", "crew", "seasons", "network", "status"];

    // TheTVDB's artwork types, by the names the document gives them.
    private static readonly Dictionary<int, string> ArtworkKinds = new() { [1] = "banner", [2] = "poster", [3] = "fanart", [5] = "clearlogo", [22] = "clearart", [23] = "clearlogo" };

    /// <summary>One item of Sonarr's <c>GET /api/v3/series?tvdbId=</c>.</summary>
    public static JsonObject FromSonarr(JsonObject series)
    {
        ArgumentNullException.ThrowIfNull(series);
        var fields = new JsonObject();
        Fields.Copy(fields, "title", series["title"]);
        Fields.Copy(fields, "year", series["year"] is JsonValue year && year.TryGetValue<int>(out var y) && y > 0 ? year : null);
        Fields.Copy(fields, "overview", series["overview"]);
        Fields.Copy(fields, "runtime", series["runtime"] is JsonValue runtime && runtime.TryGetValue<int>(out var r) && r > 0 ? runtime : null);
        if (series["genres"] is JsonArray { Count: > 0 } genres)
        {
            fields["genres"] = genres.DeepClone();
        }

        if (series["ratings"] is JsonObject rating && rating["value"] is not null)
        {
            fields["ratings"] = new JsonObject { ["sonarr"] = new JsonObject { ["value"] = rating["value"]!.DeepClone(), ["votes"] = rating["votes"]?.DeepClone() } };
        }

        if (Fields.ImagesByKind(series["images"]) is { } images)
        {
            fields["images"] = images;
        }

        if (series["seasons"] is JsonArray { Count: > 0 } seasons)
        {
            fields["seasons"] = new JsonArray([.. seasons.OfType<JsonObject>().Select(season => new JsonObject
            {
                ["number"] = season["seasonNumber"]?.DeepClone(),
                ["episodeCount"] = Fields.At(season, "statistics", "totalEpisodeCount")?.DeepClone(),
                ["monitored"] = season["monitored"]?.DeepClone(),
            })]);
        }

        Fields.Copy(fields, "network", series["network"]);
        Fields.Copy(fields, "status", series["status"]);
        return fields;
    }

    public static JsonObject IdsFromSonarr(JsonObject series) => new()
    {
        ["tvdb"] = series["tvdbId"]?.DeepClone(),
        ["imdb"] = series["imdbId"] is JsonValue imdb && imdb.TryGetValue<string>(out var id) && id.Length > 0 ? imdb.DeepClone() : null,
        ["tmdb"] = series["tmdbId"] is JsonValue tmdb && tmdb.TryGetValue<int>(out var t) && t > 0 ? tmdb.DeepClone() : null,
    };

    public static JsonObject Library(JsonObject series)
    {
        ArgumentNullException.ThrowIfNull(series);
        return new JsonObject
        {
            ["instance"] = "sonarr",
            ["monitored"] = series["monitored"]?.DeepClone(),
            ["hasFile"] = Fields.At(series, "statistics", "episodeFileCount") is JsonValue count && count.TryGetValue<int>(out var files) ? files > 0 : null,
            ["path"] = series["path"]?.DeepClone(),
            ["quality"] = null, // Per episode in Sonarr; the profile says what is wanted.
            ["qualityProfileId"] = series["qualityProfileId"]?.DeepClone(),
            ["added"] = series["added"]?.DeepClone(),
        };
    }

    /// <summary>The <c>data</c> of TheTVDB v4's <c>GET /v4/series/{id}/extended</c>.</summary>
    public static JsonObject FromTvdb(JsonObject series)
    {
        ArgumentNullException.ThrowIfNull(series);
        var fields = new JsonObject();
        Fields.Copy(fields, "title", series["name"]);
        if (series["year"]?.ToString() is { Length: 4 } year && int.TryParse(year, NumberStyles.None, CultureInfo.InvariantCulture, out var y))
        {
            fields["year"] = y;
        }

        Fields.Copy(fields, "overview", series["overview"]);
        Fields.Copy(fields, "runtime", series["averageRuntime"]);
        if (series["genres"] is JsonArray { Count: > 0 } genres)
        {
            fields["genres"] = new JsonArray([.. genres.OfType<JsonObject>().Select(genre => genre["name"]?.DeepClone())]);
        }

        if (series["score"] is JsonValue score)
        {
            fields["ratings"] = new JsonObject { ["tvdb"] = new JsonObject { ["value"] = score.DeepClone() } };
        }

        var images = new JsonObject();
        AddImage(images, "poster", series["image"]);
        foreach (var artwork in (series["artworks"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            if (artwork["type"] is JsonValue type && type.TryGetValue<int>(out var kind) && ArtworkKinds.TryGetValue(kind, out var name))
            {
                AddImage(images, name, artwork["image"]);
            }
        }

        if (images.Count > 0)
        {
            fields["images"] = images;
        }

        if (series["characters"] is JsonArray characters)
        {
            var people = characters.OfType<JsonObject>().ToList();
            fields["cast"] = new JsonArray([.. people.Where(IsActor).Select(person => new JsonObject
            {
                ["name"] = person["personName"]?.DeepClone(),
                ["character"] = person["name"]?.DeepClone(),
                ["order"] = person["sort"]?.DeepClone(),
            })]);
            fields["crew"] = new JsonArray([.. people.Where(person => !IsActor(person)).Select(person => new JsonObject
            {
                ["name"] = person["personName"]?.DeepClone(),
                ["job"] = person["peopleType"]?.DeepClone(),
            })]);
        }

        if (series["seasons"] is JsonArray seasons)
        {
            fields["seasons"] = new JsonArray([.. seasons.OfType<JsonObject>()
                .Where(season => Fields.At(season, "type", "type")?.ToString() is null or "official")
                .Select(season => new JsonObject { ["number"] = season["number"]?.DeepClone(), ["tvdbId"] = season["id"]?.DeepClone(), ["image"] = season["image"]?.DeepClone() })]);
        }

        Fields.Copy(fields, "network", Fields.At(series, "originalNetwork", "name"));
        Fields.Copy(fields, "status", Fields.At(series, "status", "name"));
        return fields;
    }

    public static JsonObject IdsFromTvdb(JsonObject series)
    {
        ArgumentNullException.ThrowIfNull(series);
        var ids = new JsonObject { ["tvdb"] = series["id"]?.DeepClone() };
        foreach (var remote in (series["remoteIds"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            var id = remote["id"]?.ToString();
            switch (remote["sourceName"]?.ToString())
            {
                case "IMDB" when id is { Length: > 0 }:
                    ids["imdb"] = id;
                    break;
                case "TheMovieDB.com" when int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var tmdb):
                    ids["tmdb"] = tmdb;
                    break;
            }
        }

        return ids;
    }

    private static bool IsActor(JsonObject person) =>
        string.Equals(person["peopleType"]?.ToString(), "Actor", StringComparison.OrdinalIgnoreCase)
        || string.Equals(person["peopleType"]?.ToString(), "Guest Star", StringComparison.OrdinalIgnoreCase);

    private static void AddImage(JsonObject images, string kind, JsonNode? url)
    {
        if (url?.ToString() is { Length: > 0 } address)
        {
            var list = (JsonArray)(images[kind] ??= new JsonArray());
            if (!list.Any(existing => existing?.ToString() == address))
            {
                list.Add(address);
            }
        }
    }
}

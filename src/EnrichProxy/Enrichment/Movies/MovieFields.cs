using System.Text.Json.Nodes;

namespace EnrichProxy.Enrichment.Movies;

/// <summary>
/// The fields of a movie document, and how Radarr's and TMDb's answers map onto them. Each mapping gives
/// only the fields its source has, so that the merge can tell a missing field from an empty one.
/// </summary>
internal static class MovieFields
{
    private const string TmdbImages = "https://image.tmdb.org/t/p/original";

    /// <summary>Every field of a movie document, in the order it is written (<c>ids</c> always comes first).</summary>
    public static readonly IReadOnlyList<string> All =
        ["title", "originalTitle", "year", "overview", "runtime", "genres", "ratings", "images", "cast", "crew", "collection"];

    /// <summary>One item of Radarr's <c>GET /api/v3/movie?tmdbId=</c>.</summary>
    public static JsonObject FromRadarr(JsonObject movie)
    {
        ArgumentNullException.ThrowIfNull(movie);
        var fields = new JsonObject();
        Fields.Copy(fields, "title", movie["title"]);
        Fields.Copy(fields, "originalTitle", movie["originalTitle"]);
        Fields.Copy(fields, "year", movie["year"] is JsonValue year && year.TryGetValue<int>(out var y) && y > 0 ? year : null);
        Fields.Copy(fields, "overview", movie["overview"]);
        Fields.Copy(fields, "runtime", movie["runtime"] is JsonValue runtime && runtime.TryGetValue<int>(out var r) && r > 0 ? runtime : null);
        Fields.Copy(fields, "genres", movie["genres"]);
        if (movie["ratings"] is JsonObject ratings && ratings.Count > 0)
        {
            var mapped = new JsonObject();
            foreach (var (source, rating) in ratings)
            {
                if (rating is JsonObject value && value["value"] is not null)
                {
                    mapped[source] = new JsonObject { ["value"] = value["value"]?.DeepClone(), ["votes"] = value["votes"]?.DeepClone() };
                }
            }

            Fields.Copy(fields, "ratings", mapped.Count > 0 ? mapped : null);
        }

        if (Fields.ImagesByKind(movie["images"]) is { } images)
        {
            fields["images"] = images;
        }

        if (movie["collection"] is JsonObject collection && collection["tmdbId"] is JsonValue collectionId && collectionId.TryGetValue<int>(out var c) && c > 0)
        {
            fields["collection"] = new JsonObject { ["id"] = c, ["name"] = (collection["title"] ?? collection["name"])?.DeepClone() };
        }

        return fields;
    }

    /// <summary>The library state of a Radarr item.</summary>
    public static JsonObject Library(JsonObject movie)
    {
        ArgumentNullException.ThrowIfNull(movie);
        return new JsonObject
        {
            ["instance"] = "radarr",
            ["monitored"] = movie["monitored"]?.DeepClone(),
            ["hasFile"] = movie["hasFile"]?.DeepClone(),
            ["path"] = movie["path"]?.DeepClone(),
            ["quality"] = Fields.At(movie, "movieFile", "quality", "quality", "name")?.DeepClone(),
            ["qualityProfileId"] = movie["qualityProfileId"]?.DeepClone(),
            ["added"] = movie["added"]?.DeepClone(),
        };
    }

    /// <summary>The ids a Radarr item carries.</summary>
    public static JsonObject IdsFromRadarr(JsonObject movie) => new()
    {
        ["tmdb"] = movie["tmdbId"]?.DeepClone(),
        ["imdb"] = Fields.Text(movie["imdbId"]) is { Length: > 0 } imdb ? imdb : null,
    };

    /// <summary>TMDb's <c>GET /3/movie/{id}?append_to_response=credits,images</c>.</summary>
    public static JsonObject FromTmdb(JsonObject movie)
    {
        ArgumentNullException.ThrowIfNull(movie);
        var fields = new JsonObject();
        Fields.Copy(fields, "title", movie["title"]);
        Fields.Copy(fields, "originalTitle", movie["original_title"]);
        if (Fields.Text(movie["release_date"]) is { Length: >= 4 } date && int.TryParse(date.AsSpan(0, 4), out var year))
        {
            fields["year"] = year;
        }

        Fields.Copy(fields, "overview", movie["overview"]);
        Fields.Copy(fields, "runtime", movie["runtime"]);
        if (movie["genres"] is JsonArray genres)
        {
            fields["genres"] = new JsonArray([.. genres.OfType<JsonObject>().Select(g => g["name"]?.DeepClone())]);
        }

        if (movie["vote_average"] is not null)
        {
            fields["ratings"] = new JsonObject { ["tmdb"] = new JsonObject { ["value"] = movie["vote_average"]!.DeepClone(), ["votes"] = movie["vote_count"]?.DeepClone() } };
        }

        var images = new JsonObject();
        AddImage(images, "poster", movie["poster_path"]);
        AddImage(images, "backdrop", movie["backdrop_path"]);
        if (movie["images"] is JsonObject more)
        {
            foreach (var (kind, list) in new[] { ("poster", more["posters"]), ("backdrop", more["backdrops"]), ("logo", more["logos"]) })
            {
                foreach (var image in (list as JsonArray)?.OfType<JsonObject>() ?? [])
                {
                    AddImage(images, kind, image["file_path"]);
                }
            }
        }

        Fields.Copy(fields, "images", images.Count > 0 ? images : null);
        if (movie["credits"] is JsonObject credits)
        {
            fields["cast"] = new JsonArray([.. (credits["cast"] as JsonArray ?? []).OfType<JsonObject>().Select(person => new JsonObject
            {
                ["name"] = person["name"]?.DeepClone(),
                ["character"] = person["character"]?.DeepClone(),
                ["order"] = person["order"]?.DeepClone(),
                ["tmdbId"] = person["id"]?.DeepClone(),
            })]);
            fields["crew"] = new JsonArray([.. (credits["crew"] as JsonArray ?? []).OfType<JsonObject>().Select(person => new JsonObject
            {
                ["name"] = person["name"]?.DeepClone(),
                ["job"] = person["job"]?.DeepClone(),
                ["department"] = person["department"]?.DeepClone(),
                ["tmdbId"] = person["id"]?.DeepClone(),
            })]);
        }

        if (movie["belongs_to_collection"] is JsonObject collection)
        {
            fields["collection"] = new JsonObject { ["id"] = collection["id"]?.DeepClone(), ["name"] = collection["name"]?.DeepClone() };
        }

        return fields;
    }

    /// <summary>The ids TMDb's answer carries.</summary>
    public static JsonObject IdsFromTmdb(JsonObject movie) => new()
    {
        ["tmdb"] = movie["id"]?.DeepClone(),
        ["imdb"] = movie["imdb_id"]?.DeepClone(),
    };

    private static void AddImage(JsonObject images, string kind, JsonNode? path)
    {
        if (Fields.Text(path) is { Length: > 0 } file)
        {
            var list = (JsonArray)(images[kind] ??= new JsonArray());
            var url = TmdbImages + file;
            if (!list.Any(existing => Fields.Text(existing) == url))
            {
                list.Add(url);
            }
        }
    }
}

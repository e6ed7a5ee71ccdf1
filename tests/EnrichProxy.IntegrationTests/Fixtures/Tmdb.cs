namespace EnrichProxy.IntegrationTests.Fixtures;

/// <summary>Answers shaped like TMDb's (GET /3/movie/{id}, its error bodies), smaller than the real ones.</summary>
internal static class Tmdb
{
    public const string MoviePath = "/3/movie/603";
    public const string ProxyMoviePath = "/tmdb/3/movie/603";

    public static string Movie(string title = "The Matrix") => $$"""
        {
          "adult": false,
          "belongs_to_collection": { "id": 2344, "name": "The Matrix Collection", "poster_path": "/bV9qTVHTVf0gkW0j7p7M0ILD4pG.jpg" },
          "genres": [ { "id": 28, "name": "Action" }, { "id": 878, "name": "Science Fiction" } ],
          "id": 603,
          "imdb_id": "tt0133093",
          "original_title": "The Matrix",
          "overview": "Set in the 22nd century, The Matrix tells the story of a computer hacker who joins a group of underground insurgents fighting the vast and powerful computers who now rule the earth.",
          "release_date": "1999-03-31",
          "runtime": 136,
          "title": "{{title}}",
          "vote_average": 8.2,
          "vote_count": 24000
        }
        """;

    /// <summary><c>GET /3/movie/{id}?append_to_response=credits,images</c>.</summary>
    public static string MovieWithCredits(int id = 603, string title = "The Matrix") => $$"""
        {
          "backdrop_path": "/fNG7i7RqMErkcqhohV2a6cV1Ehy.jpg",
          "belongs_to_collection": { "id": 2344, "name": "The Matrix Collection", "poster_path": "/bV9qTVHTVf0gkW0j7p7M0ILD4pG.jpg" },
          "genres": [ { "id": 28, "name": "Action" }, { "id": 878, "name": "Science Fiction" } ],
          "id": {{id}},
          "imdb_id": "tt0133093",
          "original_title": "The Matrix",
          "overview": "Set in the 22nd century, The Matrix tells the story of a computer hacker.",
          "poster_path": "/f89U3ADr1oiB1s9GkdPOEpXUk5H.jpg",
          "release_date": "1999-03-31",
          "runtime": 136,
          "title": "{{title}}",
          "vote_average": 8.2,
          "vote_count": 24000,
          "credits": {
            "cast": [ { "id": 6384, "name": "Keanu Reeves", "character": "Thomas A. Anderson / Neo", "order": 0 } ],
            "crew": [ { "id": 9340, "name": "Lana Wachowski", "job": "Director", "department": "Directing" } ]
          },
          "images": { "posters": [ { "file_path": "/f89U3ADr1oiB1s9GkdPOEpXUk5H.jpg" } ], "backdrops": [], "logos": [] }
        }
        """;

    public const string NotFound = """{ "status_message": "The resource you requested could not be found.", "status_code": 34 }""";

    public const string InvalidKey = """{ "status_message": "Invalid API key: You must be granted a valid key.", "success": false, "status_code": 7 }""";

    /// <summary><c>GET /3/movie/{id}</c> of a movie in a collection (or in none).</summary>
    public static string MovieIn(int id, int? collectionId) => $$"""
        {
          "id": {{id}},
          "title": "Movie {{id}}",
          "belongs_to_collection": {{(collectionId is { } collection ? $$"""{ "id": {{collection}}, "name": "Collection {{collection}}" }""" : "null")}},
          "release_date": "1999-03-31",
          "runtime": 120
        }
        """;

    /// <summary><c>GET /3/collection/{id}</c>, modelled on the reference answer for collection 10.</summary>
    public static string Collection(int id, params int[] parts) => $$"""
        {
          "id": {{id}},
          "name": "Collection {{id}}",
          "overview": "Movies that belong together.",
          "parts": [ {{string.Join(", ", parts.Select(part => $$"""{ "id": {{part}}, "title": "Movie {{part}}", "media_type": "movie" }"""))}} ]
        }
        """;

    /// <summary><c>GET /3/tv/{id}</c> with its seasons.</summary>
    public static string Show(int id, params int[] seasons) => $$"""
        {
          "id": {{id}},
          "name": "Show {{id}}",
          "seasons": [ {{string.Join(", ", seasons.Select(season => $$"""{ "id": {{season + 3000}}, "season_number": {{season}}, "episode_count": 10 }"""))}} ]
        }
        """;

    /// <summary><c>GET /3/tv/{id}/season/{number}</c>.</summary>
    public static string Season(int number) => $$"""{ "id": {{number + 3000}}, "season_number": {{number}}, "episodes": [] }""";
}

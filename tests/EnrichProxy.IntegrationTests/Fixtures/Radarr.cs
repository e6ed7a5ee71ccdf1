namespace EnrichProxy.IntegrationTests.Fixtures;

/// <summary>Answers shaped like Radarr v3's <c>GET /api/v3/movie?tmdbId=</c> (an array), smaller than the real ones.</summary>
internal static class Radarr
{
    public const string MoviePath = "/api/v3/movie";

    public static string LibraryMovie(int tmdbId = 603, string title = "The Matrix") => $$"""
        [
          {
            "title": "{{title}}",
            "originalTitle": "The Matrix",
            "sortTitle": "matrix",
            "sizeOnDisk": 1796921629,
            "status": "released",
            "overview": "A hacker learns what the Matrix really is.",
            "images": [
              { "coverType": "poster", "url": "/MediaCover/1/poster.jpg", "remoteUrl": "https://image.tmdb.org/t/p/original/f89U3ADr1oiB1s9GkdPOEpXUk5H.jpg" },
              { "coverType": "fanart", "url": "/MediaCover/1/fanart.jpg", "remoteUrl": "https://image.tmdb.org/t/p/original/fNG7i7RqMErkcqhohV2a6cV1Ehy.jpg" }
            ],
            "year": 1999,
            "hasFile": true,
            "path": "/movies/The Matrix (1999)",
            "qualityProfileId": 4,
            "monitored": true,
            "runtime": 136,
            "imdbId": "tt0133093",
            "tmdbId": {{tmdbId}},
            "genres": [ "Action", "Science Fiction" ],
            "added": "2022-08-30T08:27:15Z",
            "ratings": { "imdb": { "votes": 2000000, "value": 8.7, "type": "user" }, "tmdb": { "votes": 24000, "value": 8.2, "type": "user" } },
            "movieFile": { "quality": { "quality": { "id": 7, "name": "Bluray-1080p" } } },
            "collection": { "title": "The Matrix Collection", "tmdbId": 2344 },
            "id": 1
          }
        ]
        """;

    public const string NotInLibrary = "[]";

    /// <summary><c>GET /api/v3/movie</c> of a library holding these movies.</summary>
    public static string Library(IEnumerable<int> tmdbIds) => "[" + string.Join(",", tmdbIds.Select(id => $$"""
        { "title": "Movie {{id}}", "year": 2001, "hasFile": true, "monitored": true, "path": "/movies/Movie {{id}}", "tmdbId": {{id}}, "imdbId": "tt{{id:D7}}", "id": {{id}} }
        """)) + "]";
}

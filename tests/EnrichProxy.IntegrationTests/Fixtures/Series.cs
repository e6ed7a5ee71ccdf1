namespace EnrichProxy.IntegrationTests.Fixtures;

/// <summary>Answers shaped like Sonarr v3's <c>GET /api/v3/series?tvdbId=</c> and TheTVDB v4's extended series record.</summary>
internal static class Series
{
    public const int TvdbId = 121361;
    public const string SonarrPath = "/api/v3/series";
    public const string TvdbPath = "/v4/series/121361/extended";

    public static string SonarrSeries(string title = "Game of Thrones") => $$"""
        [
          {
            "title": "{{title}}",
            "sortTitle": "game of thrones",
            "status": "ended",
            "overview": "Seven noble families fight for control of the mythical land of Westeros.",
            "network": "HBO",
            "images": [ { "coverType": "poster", "url": "/MediaCover/5/poster.jpg", "remoteUrl": "https://artworks.thetvdb.com/banners/posters/121361-1.jpg" } ],
            "seasons": [
              { "seasonNumber": 1, "monitored": true, "statistics": { "episodeFileCount": 10, "episodeCount": 10, "totalEpisodeCount": 10, "sizeOnDisk": 1000, "percentOfEpisodes": 100.0 } },
              { "seasonNumber": 2, "monitored": true, "statistics": { "episodeFileCount": 0, "episodeCount": 10, "totalEpisodeCount": 10, "sizeOnDisk": 0, "percentOfEpisodes": 0.0 } }
            ],
            "year": 2011,
            "path": "/tv/Game of Thrones",
            "qualityProfileId": 1,
            "monitored": true,
            "runtime": 55,
            "tvdbId": {{TvdbId}},
            "tvMazeId": 82,
            "imdbId": "tt0944947",
            "genres": [ "Adventure", "Drama", "Fantasy" ],
            "added": "2020-05-06T07:08:09Z",
            "ratings": { "votes": 547, "value": 9.1 },
            "statistics": { "seasonCount": 2, "episodeFileCount": 10, "episodeCount": 20, "totalEpisodeCount": 20, "sizeOnDisk": 1000, "percentOfEpisodes": 50.0 },
            "id": 5
          }
        ]
        """;

    public static string TvdbExtended() => $$"""
        {
          "status": "success",
          "data": {
            "id": {{TvdbId}},
            "name": "Game of Thrones",
            "image": "https://artworks.thetvdb.com/banners/posters/121361-1.jpg",
            "year": "2011",
            "overview": "Seven noble families fight for control of the mythical land of Westeros.",
            "averageRuntime": 55,
            "score": 1000,
            "status": { "id": 2, "name": "Ended" },
            "originalNetwork": { "id": 8, "name": "HBO" },
            "genres": [ { "id": 19, "name": "Drama" }, { "id": 2, "name": "Fantasy" } ],
            "artworks": [ { "id": 1, "image": "https://artworks.thetvdb.com/banners/fanart/original/121361-3.jpg", "type": 3 } ],
            "characters": [
              { "name": "Jon Snow", "personName": "Kit Harington", "peopleType": "Actor", "sort": 1 },
              { "name": "", "personName": "David Benioff", "peopleType": "Creator", "sort": 0 }
            ],
            "seasons": [
              { "id": 364731, "number": 1, "type": { "id": 1, "type": "official", "name": "Aired Order" } },
              { "id": 999999, "number": 1, "type": { "id": 2, "type": "dvd", "name": "DVD Order" } }
            ],
            "remoteIds": [ { "id": "tt0944947", "type": 2, "sourceName": "IMDB" }, { "id": "1399", "type": 12, "sourceName": "TheMovieDB.com" } ]
          }
        }
        """;
}

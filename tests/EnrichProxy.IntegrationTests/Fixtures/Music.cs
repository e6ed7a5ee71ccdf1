namespace EnrichProxy.IntegrationTests.Fixtures;

/// <summary>Answers shaped like Lidarr v1's artists, MusicBrainz's artist with release groups, and Fanart.tv's music images.</summary>
internal static class Music
{
    public const string Mbid = "b8a7c51f-362c-4dcb-a259-bc6e0095f0a6";
    public const string LidarrArtistPath = "/api/v1/artist";
    public const string MusicBrainzArtistPath = "/ws/2/artist/" + Mbid;
    public const string FanartPath = "/v3/music/" + Mbid;

    public static string LidarrArtist(string name = "Ed Sheeran") => $$"""
        [
          {
            "artistName": "{{name}}",
            "foreignArtistId": "{{Mbid}}",
            "overview": "Edward Christopher Sheeran is an English singer-songwriter.",
            "artistType": "Person",
            "disambiguation": "famous UK singer-songwriter",
            "images": [ { "coverType": "poster", "url": "/MediaCover/1/poster.jpg", "remoteUrl": "https://assets.fanart.tv/fanart/music/ed-poster.jpg" } ],
            "path": "/music/Ed Sheeran",
            "qualityProfileId": 1,
            "monitored": true,
            "genres": [ "Pop" ],
            "sortName": "Sheeran, Ed",
            "added": "2023-01-02T03:04:05Z",
            "ratings": { "votes": 12, "value": 8.4 },
            "statistics": { "albumCount": 5, "trackFileCount": 64, "sizeOnDisk": 512000000 },
            "id": 7
          }
        ]
        """;

    public static string MusicBrainzArtist() => $$"""
        {
          "id": "{{Mbid}}",
          "type": "Person",
          "name": "Ed Sheeran",
          "sort-name": "Sheeran, Ed",
          "country": "GB",
          "disambiguation": "famous UK singer-songwriter",
          "genres": [ { "name": "pop", "count": 9 }, { "name": "folk-pop", "count": 3 } ],
          "release-groups": [
            { "id": "2ec36a4b-4da6-3e0f-8a63-bc2dfbd8f2b4", "title": "+", "primary-type": "Album", "secondary-types": [], "first-release-date": "2011-09-09" },
            { "id": "b4a9d5b3-70f1-4ad4-b6e4-3d26c1a0f4d2", "title": "÷", "primary-type": "Album", "secondary-types": [], "first-release-date": "2017-03-03" }
          ]
        }
        """;

    public static string FanartArtist() => $$"""
        {
          "name": "Ed Sheeran",
          "mbid_id": "{{Mbid}}",
          "artistthumb": [ { "id": "1", "url": "https://assets.fanart.tv/fanart/music/ed-thumb.jpg", "likes": "3" } ],
          "artistbackground": [ { "id": "2", "url": "https://assets.fanart.tv/fanart/music/ed-background.jpg", "likes": "5" } ]
        }
        """;
}

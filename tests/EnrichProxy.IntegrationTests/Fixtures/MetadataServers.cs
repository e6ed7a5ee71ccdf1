namespace EnrichProxy.IntegrationTests.Fixtures;

/// <summary>
/// Answers of Radarr's and Sonarr's metadata servers, in the shapes their <c>SkyHookProxy</c> reads: Radarr's
/// <c>MovieResource</c> (PascalCase, the same resource for <c>GET movie/{id}</c> and each element of <c>POST movie/bulk</c>),
/// Sonarr's <c>ShowResource</c> (camelCase, seasons and episodes in one answer).
/// </summary>
internal static class MetadataServers
{
    public const string RadarrHost = "api.radarr.video";
    public const string SonarrHost = "skyhook.sonarr.tv";

    /// <summary>What the apps call.</summary>
    public static string RadarrMovieUrl(int tmdbId) => $"https://{RadarrHost}/v1/movie/{tmdbId}";

    public const string RadarrBulkUrl = $"https://{RadarrHost}/v1/movie/bulk";

    public static string SonarrShowUrl(int tvdbId) => $"https://{SonarrHost}/v1/tvdb/shows/en/{tvdbId}";

    /// <summary>Where the fake metadata servers are asked (the destinations are set to the fake's <c>/v1/</c>).</summary>
    public static string RadarrMoviePath(int tmdbId) => $"/v1/movie/{tmdbId}";

    public const string RadarrBulkPath = "/v1/movie/bulk";

    public static string SonarrShowPath(int tvdbId) => $"/v1/tvdb/shows/en/{tvdbId}";

    public static string Movie(int tmdbId, string title = "The Matrix") => $$"""
        {"TmdbId":{{tmdbId}},"ImdbId":"tt{{tmdbId:D7}}","Title":"{{title}}","OriginalTitle":"{{title}}","Year":1999,"Runtime":136,"Genres":["Action","Science Fiction"],"Images":[{"CoverType":"Poster","Url":"https://image.tmdb.org/t/p/original/f89U3ADr1oiB1s9GkdPOEpXUk5H.jpg"}],"Credits":{"Cast":[{"Name":"Keanu Reeves","Character":"Neo","Order":0}],"Crew":[]} }
        """;

    public static string Movies(IEnumerable<int> tmdbIds) => "[" + string.Join(",", tmdbIds.Select(id => Movie(id, $"Movie {id}"))) + "]";

    public static string Show(int tvdbId, string title = "The Andy Griffith Show") => $$"""
        {"tvdbId":{{tvdbId}},"title":"{{title}}","overview":"A widowed sheriff in a small town.","firstAired":"1960-10-03","status":"ended","seasons":[{"seasonNumber":1,"images":[]}],"episodes":[{"tvdbId":194001,"seasonNumber":1,"episodeNumber":1,"title":"The New Housekeeper","airDate":"1960-10-03"}],"actors":[{"name":"Andy Griffith","character":"Sheriff Andy Taylor"}]}
        """;

    /// <summary>What api.radarr.video answered in Radarr#11602: Cloudflare's challenge page, 200 or 403, as HTML.</summary>
    public const string ChallengePage = "<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>Checking your browser before accessing api.radarr.video.</body></html>";
}

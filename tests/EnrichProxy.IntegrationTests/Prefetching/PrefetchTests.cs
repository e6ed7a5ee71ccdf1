using System.Net;
using EnrichProxy.IntegrationTests.Fixtures;
using EnrichProxy.IntegrationTests.Infrastructure;
using static EnrichProxy.IntegrationTests.Infrastructure.ProxyHost;

namespace EnrichProxy.IntegrationTests.Prefetching;

/// <summary>The shipped prefetch rules, over fake TMDb and Lidarr metadata servers: what an answer names is fetched in the background and then a HIT.</summary>
public sealed class PrefetchTests : IDisposable
{
    private const string TmdbKey = "tmdb-key-for-prefetch-0123456";
    private readonly FakeUpstream _tmdb = new();
    private readonly FakeUpstream _lidarrMetadata = new();
    private readonly FakeUpstream _musicBrainz = new();

    [Fact]
    public async Task AMovie_PrefetchesItsCollection_ThenTheCollectionsMovies_AndTheyAreHits()
    {
        _tmdb.Json("/3/movie/603", Tmdb.MovieIn(603, 2344))
            .Json("/3/collection/2344", Tmdb.Collection(2344, 603, 604, 605))
            .Json("/3/movie/604", Tmdb.MovieIn(604, 2344))
            .Json("/3/movie/605", Tmdb.MovieIn(605, 2344));
        await using var proxy = await StartAsync(Settings());

        using var movie = await proxy.Client.GetAsync("/tmdb/3/movie/603?language=de-DE");
        Assert.Equal("MISS", movie.XCache());
        var queue = await QueueStats.WaitUntilIdleAsync(proxy, q => QueueStats.Finished(q, "prefetch", "stored") == 3);

        // The collection with the client's language; its parts, of which 603 was already cached.
        Assert.Equal(1, QueueStats.Finished(queue, "prefetch", "cached"));
        foreach (var path in new[] { "/tmdb/3/collection/2344?language=de-DE", "/tmdb/3/movie/604?language=de-DE", "/tmdb/3/movie/605?language=de-DE" })
        {
            using var next = await proxy.Client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, next.StatusCode);
            Assert.Equal("HIT", next.XCache());
        }

        Assert.Single(_tmdb.Received("/3/movie/603"));
        var collection = Assert.Single(_tmdb.Received("/3/collection/2344"));
        Assert.Equal("de-DE", collection.RequestMessage.Query!["language"].Single());
        Assert.Equal(TmdbKey, collection.RequestMessage.Query!["api_key"].Single());
        Assert.Single(_tmdb.Received("/3/movie/604"));
        Assert.Single(_tmdb.Received("/3/movie/605"));
    }

    [Fact]
    public async Task AnAnswerWithoutTheField_QueuesNothing()
    {
        _tmdb.Json("/3/movie/550", Tmdb.MovieIn(550, collectionId: null));
        await using var proxy = await StartAsync(Settings());

        using var movie = await proxy.Client.GetAsync("/tmdb/3/movie/550");

        // Prefetches are queued before the fill answers: by now there would be one.
        var queue = await QueueStats.ReadAsync(proxy);
        Assert.Equal("MISS", movie.XCache());
        Assert.Equal(0, queue.GetProperty("depth").GetInt64());
        Assert.Equal(0, queue.GetProperty("running").GetInt64());
        Assert.False(queue.GetProperty("finished").TryGetProperty("prefetch", out _));
        Assert.Single(_tmdb.Server.LogEntries);
    }

    [Fact]
    public async Task ConcurrentAnswersNamingOneCollection_FetchItOnce()
    {
        var movies = Enumerable.Range(601, 8).ToArray();
        foreach (var id in movies)
        {
            _tmdb.Json($"/3/movie/{id}", Tmdb.MovieIn(id, 2344));
        }

        _tmdb.Json("/3/collection/2344", Tmdb.Collection(2344), delay: TimeSpan.FromMilliseconds(300));
        await using var proxy = await StartAsync(Settings(("EnrichProxy:Queue:MaxPrefetchDepth", "1")));

        var answers = await Task.WhenAll(movies.Select(id => proxy.Client.GetAsync($"/tmdb/3/movie/{id}")));
        var queue = await QueueStats.WaitUntilIdleAsync(proxy, q =>
            QueueStats.Finished(q, "prefetch", "stored") + QueueStats.Finished(q, "prefetch", "cached") + QueueStats.Deduplicated(q, "prefetch") == movies.Length);

        Assert.All(answers, answer => Assert.Equal(HttpStatusCode.OK, answer.StatusCode));
        Assert.Single(_tmdb.Received("/3/collection/2344"));
        Assert.Equal(1, QueueStats.Finished(queue, "prefetch", "stored"));
        using var collection = await proxy.Client.GetAsync("/tmdb/3/collection/2344");
        Assert.Equal("HIT", collection.XCache());
    }

    [Fact]
    public async Task AShow_FansOutToEachOfItsSeasons()
    {
        _tmdb.Json("/3/tv/1399", Tmdb.Show(1399, 0, 1, 2));
        foreach (var season in new[] { 0, 1, 2 })
        {
            _tmdb.Json($"/3/tv/1399/season/{season}", Tmdb.Season(season));
        }

        await using var proxy = await StartAsync(Settings());

        await proxy.Client.GetAsync("/tmdb/3/tv/1399");
        await QueueStats.WaitUntilIdleAsync(proxy, q => QueueStats.Finished(q, "prefetch", "stored") == 3);

        foreach (var season in new[] { 0, 1, 2 })
        {
            using var answer = await proxy.Client.GetAsync($"/tmdb/3/tv/1399/season/{season}");
            Assert.Equal("HIT", answer.XCache());
            Assert.Single(_tmdb.Received($"/3/tv/1399/season/{season}"));
        }
    }

    [Fact]
    public async Task ALidarrMetadataArtist_PrefetchesItsAlbums()
    {
        const string album = "2ec36a4b-4da6-3e0f-8a63-bc2dfbd8f2b4";
        _lidarrMetadata.Json($"/artist/{Music.Mbid}", $$"""
            { "id": "{{Music.Mbid}}", "artistname": "Ed Sheeran", "Albums": [ { "Id": "{{album}}", "Title": "+", "Type": "Album" } ] }
            """)
            .Json($"/album/{album}", $$"""{ "id": "{{album}}", "title": "+", "releases": [] }""");
        await using var proxy = await StartAsync(Settings());

        await proxy.Client.GetAsync($"/lidarr-metadata/artist/{Music.Mbid}");
        await QueueStats.WaitUntilIdleAsync(proxy, q => QueueStats.Finished(q, "prefetch", "stored") == 1);

        using var answer = await proxy.Client.GetAsync($"/lidarr-metadata/album/{album}");
        Assert.Equal("HIT", answer.XCache());
        Assert.Single(_lidarrMetadata.Received($"/album/{album}"));
    }

    [Fact]
    public async Task AMusicBrainzArtist_PrefetchesItsReleaseGroups_InTheFormatTheClientAskedFor()
    {
        string[] releaseGroups = ["2ec36a4b-4da6-3e0f-8a63-bc2dfbd8f2b4", "b4a9d5b3-70f1-4ad4-b6e4-3d26c1a0f4d2"];
        _musicBrainz.Json(Music.MusicBrainzArtistPath, Music.MusicBrainzArtist());
        foreach (var id in releaseGroups)
        {
            _musicBrainz.Json($"/ws/2/release-group/{id}", $$"""{ "id": "{{id}}", "title": "+", "primary-type": "Album" }""");
        }

        await using var proxy = await StartAsync(Settings());

        using var artist = await GetJsonAsync(proxy, $"/musicbrainz{Music.MusicBrainzArtistPath}?inc=release-groups&fmt=json");
        Assert.Equal(HttpStatusCode.OK, artist.StatusCode);
        await QueueStats.WaitUntilIdleAsync(proxy, q => QueueStats.Finished(q, "prefetch", "stored") == 2);

        foreach (var id in releaseGroups)
        {
            using var answer = await GetJsonAsync(proxy, $"/musicbrainz/ws/2/release-group/{id}?fmt=json");
            Assert.Equal("HIT", answer.XCache());
            var fetched = Assert.Single(_musicBrainz.Received($"/ws/2/release-group/{id}"));
            Assert.Equal("json", fetched.RequestMessage.Query!["fmt"].Single());
            Assert.Equal("application/json", fetched.RequestMessage.Headers!["Accept"].Single());
        }
    }

    [Fact]
    public async Task AClientJoiningAPrefetchStillWaitingForAPermit_WaitsForItAsAClient()
    {
        _tmdb.Json("/3/movie/603", Tmdb.MovieIn(603, 2344)).Json("/3/collection/2344", Tmdb.Collection(2344));
        // One permit every two seconds: the movie takes it, and the prefetch of the collection then waits for a full bucket.
        await using var proxy = await StartAsync(Settings(
            ("EnrichProxy:Upstreams:tmdb:RateLimit:PermitsPerSecond", "0.5"), ("EnrichProxy:Upstreams:tmdb:RateLimit:Burst", "1")));

        using var movie = await proxy.Client.GetAsync("/tmdb/3/movie/603");
        await WaitUntilAsync(async () => (await QueueStats.ReadAsync(proxy)).GetProperty("running").GetInt64() == 1);
        await Task.Delay(200); // The job reaches its fill and its permit wait.
        using var collection = await proxy.Client.GetAsync("/tmdb/3/collection/2344");

        // The client joined the prefetch's fill, which then queued for its permit as a client's request
        // (a background request waits uncounted, and only for a full bucket no client waits for).
        Assert.Equal(HttpStatusCode.OK, collection.StatusCode);
        Assert.Single(_tmdb.Received("/3/collection/2344"));
        var scrape = await proxy.ScrapeAsync("enrichproxy_upstream_rate_limit_waits_total");
        Assert.Equal(1, PrometheusText.Value(scrape, "enrichproxy_upstream_rate_limit_waits_total", ("cluster", "tmdb")));
    }

    [Fact]
    public async Task AClientsOwnKey_IsNeverSpentOnPrefetch()
    {
        _tmdb.Json("/3/movie/603", Tmdb.MovieIn(603, 2344)).Json("/3/collection/2344", Tmdb.Collection(2344));
        await using var proxy = await StartAsync(ProxyHost.Settings(
            Destination("tmdb", _tmdb.Url), AdminClient.Enabled, ("EnrichProxy:Queue:MaxPrefetchDepth", "2")));

        using var movie = await proxy.Client.GetAsync("/tmdb/3/movie/603?api_key=the-clients-own-key-123");

        var queue = await QueueStats.ReadAsync(proxy);
        Assert.Equal(HttpStatusCode.OK, movie.StatusCode);
        Assert.False(queue.GetProperty("finished").TryGetProperty("prefetch", out _));
        Assert.Equal(0, queue.GetProperty("depth").GetInt64());
        Assert.Empty(_tmdb.Received("/3/collection/2344"));
    }

    public void Dispose()
    {
        _tmdb.Dispose();
        _lidarrMetadata.Dispose();
        _musicBrainz.Dispose();
    }

    private static async Task<HttpResponseMessage> GetJsonAsync(ProxyHost proxy, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("application/json");
        return await proxy.Client.SendAsync(request);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 400 && !await condition(); i++)
        {
            await Task.Delay(25);
        }

        Assert.True(await condition());
    }

    private Dictionary<string, string> Settings(params (string Key, string Value)[] extra) => ProxyHost.Settings(
        [
            Destination("tmdb", _tmdb.Url),
            Destination("lidarr-metadata", _lidarrMetadata.Url),
            Destination("musicbrainz", _musicBrainz.Url),
            ("EnrichProxy:Upstreams:tmdb:ApiKey", TmdbKey),
            AdminClient.Enabled,
            ("EnrichProxy:Queue:MaxPrefetchDepth", "2"),
            .. extra,
        ]);
}

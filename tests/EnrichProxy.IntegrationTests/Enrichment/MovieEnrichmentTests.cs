using System.Net;
using System.Text;
using System.Text.Json;
using EnrichProxy.IntegrationTests.Fixtures;
using EnrichProxy.IntegrationTests.Infrastructure;
using static EnrichProxy.IntegrationTests.Infrastructure.ProxyHost;

namespace EnrichProxy.IntegrationTests.Enrichment;

/// <summary><c>GET /api/v1/movies/{tmdbId}</c>: the priority chain over a fake Radarr and a fake TMDb.</summary>
public sealed class MovieEnrichmentTests : IDisposable
{
    private const string TmdbKey = "tmdb-key-for-enrichment-0123";
    private const string RadarrKey = "radarr-key-for-enrichment-4567";
    private readonly FakeUpstream _tmdb = new();
    private readonly FakeUpstream _radarr = new();

    [Fact]
    public async Task ALibraryMovie_AnswersFromTheLibraryFirst_ThenFromTheCache()
    {
        _radarr.Json(Radarr.MoviePath, Radarr.LibraryMovie(title: "The Matrix (library)"));
        _tmdb.Json(Tmdb.MoviePath, Tmdb.MovieWithCredits());
        await using var proxy = await StartAsync(Settings());

        using var first = await GetWithArrKeyAsync(proxy, "/api/v1/movies/603");
        var movie = await JsonAsync(first);
        using var second = await GetWithArrKeyAsync(proxy, "/api/v1/movies/603");
        using var third = await proxy.Client.GetAsync("/api/v1/movies/603");
        var anonymous = await JsonAsync(third);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("arr", Source(first));
        Assert.Equal("The Matrix (library)", movie.GetProperty("title").GetString());
        Assert.Equal("arr", movie.GetProperty("sources").GetProperty("title").GetString());
        Assert.Equal("Keanu Reeves", movie.GetProperty("cast")[0].GetProperty("name").GetString());
        Assert.Equal("external", movie.GetProperty("sources").GetProperty("cast").GetString());
        Assert.Equal(603, movie.GetProperty("ids").GetProperty("tmdb").GetInt32());
        Assert.Equal("tt0133093", movie.GetProperty("ids").GetProperty("imdb").GetString());
        Assert.Equal(2344, movie.GetProperty("collection").GetProperty("id").GetInt32());
        var library = movie.GetProperty("library");
        Assert.True(library.GetProperty("monitored").GetBoolean());
        Assert.True(library.GetProperty("hasFile").GetBoolean());
        Assert.Equal("/movies/The Matrix (1999)", library.GetProperty("path").GetString());
        Assert.Equal("Bluray-1080p", library.GetProperty("quality").GetString());
        Assert.True(movie.GetProperty("complete").GetBoolean());
        Assert.Equal("cache", Source(second));
        // Without the Arr key, a document built without the library: nothing of it shows, not even which tier answered.
        Assert.Equal("external", Source(third));
        Assert.Equal(JsonValueKind.Null, anonymous.GetProperty("library").ValueKind);
        Assert.Equal("The Matrix", anonymous.GetProperty("title").GetString());
        Assert.DoesNotContain("arr", anonymous.GetProperty("sources").EnumerateObject().Select(source => source.Value.GetString()));
        Assert.Single(_radarr.Received(Radarr.MoviePath));
        Assert.Single(_tmdb.Received(Tmdb.MoviePath));
        Assert.Equal(RadarrKey, _radarr.Received(Radarr.MoviePath)[0].RequestMessage.Headers!["X-Api-Key"].Single());
        Assert.Equal("credits,images", string.Join(",", _tmdb.Received(Tmdb.MoviePath)[0].RequestMessage.Query!["append_to_response"]));
    }

    [Fact]
    public async Task AnonymousCallers_NeverSpendTheArrsKey_NorHoldUpAKeyedCaller()
    {
        _radarr.Json(Radarr.MoviePath, Radarr.LibraryMovie(title: "The Matrix (library)"), delay: TimeSpan.FromMilliseconds(300));
        _tmdb.Json(Tmdb.MoviePath, Tmdb.MovieWithCredits());
        foreach (var id in Enumerable.Range(700, 60))
        {
            _tmdb.Json($"/3/movie/{id}", Tmdb.MovieWithCredits(id, $"Movie {id}"));
        }

        await using var proxy = await StartAsync(Settings(
            ("EnrichProxy:Upstreams:radarr:RateLimit:PermitsPerSecond", "5"),
            ("EnrichProxy:Upstreams:radarr:RateLimit:Burst", "2")));

        // Sixty anonymous callers for sixty new ids, and one keyed caller among them.
        var anonymousCalls = Enumerable.Range(700, 60).Select(id => proxy.Client.GetAsync($"/api/v1/movies/{id}")).ToList();
        using var keyed = await GetWithArrKeyAsync(proxy, "/api/v1/movies/603");
        var anonymous = await Task.WhenAll(anonymousCalls);

        Assert.All(anonymous, answer =>
        {
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            Assert.Equal("external", Source(answer));
        });
        Assert.Equal("arr", Source(keyed));
        // Radarr heard only from the keyed caller.
        Assert.Single(_radarr.Server.LogEntries);
        foreach (var answer in anonymous)
        {
            answer.Dispose();
        }
    }

    [Fact]
    public async Task ALibraryThatFails_GivesAnIncompleteDocument_ThatIsNotCached()
    {
        _radarr.Json(Radarr.MoviePath, """{"message":"database is locked"}""", status: 500);
        _tmdb.Json(Tmdb.MoviePath, Tmdb.MovieWithCredits());
        await using var proxy = await StartAsync(Settings());

        using var first = await GetWithArrKeyAsync(proxy, "/api/v1/movies/603");
        var movie = await JsonAsync(first);
        using var second = await GetWithArrKeyAsync(proxy, "/api/v1/movies/603");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("external", Source(first));
        Assert.False(movie.GetProperty("complete").GetBoolean());
        Assert.Equal("external", Source(second));
    }

    [Fact]
    public async Task AMovieOutsideTheLibrary_AnswersFromTheExternalTier()
    {
        _radarr.Json(Radarr.MoviePath, Radarr.NotInLibrary);
        _tmdb.Json(Tmdb.MoviePath, Tmdb.MovieWithCredits());
        await using var proxy = await StartAsync(Settings());

        using var response = await GetWithArrKeyAsync(proxy, "/api/v1/movies/603");
        var movie = await JsonAsync(response);

        Assert.Equal("external", Source(response));
        Assert.Equal("The Matrix", movie.GetProperty("title").GetString());
        Assert.Equal(1999, movie.GetProperty("year").GetInt32());
        Assert.Equal("https://image.tmdb.org/t/p/original/f89U3ADr1oiB1s9GkdPOEpXUk5H.jpg", movie.GetProperty("images").GetProperty("poster")[0].GetString());
        Assert.Equal(JsonValueKind.Null, movie.GetProperty("library").ValueKind);
        Assert.Equal("external", movie.GetProperty("sources").GetProperty("title").GetString());
    }

    [Fact]
    public async Task AnOverride_WinsOverEveryTier_AndSurvivesARestart()
    {
        _radarr.Json(Radarr.MoviePath, Radarr.LibraryMovie());
        _tmdb.Json(Tmdb.MoviePath, Tmdb.MovieWithCredits());
        var contentRoot = Directory.CreateTempSubdirectory("enrichproxy-enrich-").FullName;
        try
        {
            await using (var first = await StartAsync(Settings(), contentRoot: contentRoot))
            {
                await GetWithArrKeyAsync(first, "/api/v1/movies/603"); // Cached without the override...
                using var put = new HttpRequestMessage(HttpMethod.Put, "/admin/overrides/movies/603") { Content = new StringContent("""{"title":"Matrix, The","mood":"dark"}""", Encoding.UTF8, "application/json") };
                put.Headers.Add("X-Admin-Key", AdminClient.Key);
                Assert.Equal(HttpStatusCode.OK, (await first.Client.SendAsync(put)).StatusCode);

                var changed = await JsonAsync(await GetWithArrKeyAsync(first, "/api/v1/movies/603")); // ...and assembled again with it.
                Assert.Equal("Matrix, The", changed.GetProperty("title").GetString());
            }

            await using var second = await StartAsync(Settings(), contentRoot: contentRoot);
            using var response = await GetWithArrKeyAsync(second, "/api/v1/movies/603");
            var movie = await JsonAsync(response);

            Assert.Equal("Matrix, The", movie.GetProperty("title").GetString());
            Assert.Equal("internal", movie.GetProperty("sources").GetProperty("title").GetString());
            Assert.Equal("dark", movie.GetProperty("mood").GetString()); // An addition no source has.
            Assert.Equal("internal", movie.GetProperty("sources").GetProperty("mood").GetString());
            Assert.Equal("arr", movie.GetProperty("sources").GetProperty("year").GetString());
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(contentRoot, recursive: true);
        }
    }

    [Fact]
    public async Task FieldsTheLibraryAnswers_NeedNoExternalCall()
    {
        _radarr.Json(Radarr.MoviePath, Radarr.LibraryMovie());
        _tmdb.Json(Tmdb.MoviePath, Tmdb.MovieWithCredits());
        await using var proxy = await StartAsync(Settings());

        using var response = await GetWithArrKeyAsync(proxy, "/api/v1/movies/603?fields=title,year,overview,runtime,genres");
        var movie = await JsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("arr", Source(response));
        Assert.Equal(1999, movie.GetProperty("year").GetInt32());
        Assert.False(movie.TryGetProperty("cast", out _));
        Assert.True(movie.GetProperty("complete").GetBoolean());
        Assert.Empty(_tmdb.Server.LogEntries);
    }

    [Fact]
    public async Task ASlowExternalTier_GivesAPartialAnswer_ThenTheCompleteDocument()
    {
        _radarr.Json(Radarr.MoviePath, Radarr.LibraryMovie());
        _tmdb.Json(Tmdb.MoviePath, Tmdb.MovieWithCredits(), delay: TimeSpan.FromSeconds(1));
        await using var proxy = await StartAsync(Settings(("EnrichProxy:Enrichment:ExternalSoftTimeout", "00:00:00.100")));

        using var partial = await GetWithArrKeyAsync(proxy, "/api/v1/movies/603");
        var first = await JsonAsync(partial);

        Assert.Equal(HttpStatusCode.OK, partial.StatusCode);
        Assert.False(first.GetProperty("complete").GetBoolean());
        Assert.False(first.TryGetProperty("cast", out _));
        Assert.Equal("arr", first.GetProperty("sources").GetProperty("title").GetString());

        var deadline = DateTime.UtcNow.AddSeconds(20);
        JsonElement later;
        string? source;
        do
        {
            await Task.Delay(100);
            using var again = await GetWithArrKeyAsync(proxy, "/api/v1/movies/603");
            later = await JsonAsync(again);
            source = Source(again);
        }
        while (source != "cache" && DateTime.UtcNow < deadline);

        Assert.Equal("cache", source);
        Assert.True(later.GetProperty("complete").GetBoolean());
        Assert.Equal("Keanu Reeves", later.GetProperty("cast")[0].GetProperty("name").GetString());
        Assert.Single(_tmdb.Received(Tmdb.MoviePath));
    }

    [Theory]
    [InlineData("/api/v1/movies/abc", HttpStatusCode.BadRequest)]
    [InlineData("/api/v1/movies/0", HttpStatusCode.BadRequest)]
    [InlineData("/api/v1/movies/603?fields=title,budget", HttpStatusCode.BadRequest)]
    public async Task BadRequests_GetAProblemThatSaysWhat(string path, HttpStatusCode expected)
    {
        await using var proxy = await StartAsync(Settings());

        using var response = await proxy.Client.GetAsync(path);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(_tmdb.Server.LogEntries);
    }

    [Fact]
    public async Task AMovieNobodyKnows_Is404()
    {
        _radarr.Json(Radarr.MoviePath, Radarr.NotInLibrary);
        _tmdb.Json("/3/movie/999999", Tmdb.NotFound, status: 404);
        await using var proxy = await StartAsync(Settings());

        using var response = await GetWithArrKeyAsync(proxy, "/api/v1/movies/999999");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task EveryTierFailingWithNothingCached_Is502SayingWhichTiers_WithoutSecrets()
    {
        _radarr.Json(Radarr.MoviePath, """{"message":"database is locked"}""", status: 500);
        _tmdb.Json(Tmdb.MoviePath, $$"""{"status_message":"failed for {{TmdbKey}}"}""", status: 500);
        await using var proxy = await StartAsync(Settings());

        using var response = await GetWithArrKeyAsync(proxy, "/api/v1/movies/603");
        var body = await response.Content.ReadAsStringAsync();
        var problem = JsonDocument.Parse(body).RootElement;

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("arr,external", string.Join(",", problem.GetProperty("failedTiers").EnumerateArray().Select(t => t.GetString())));
        Assert.DoesNotContain(TmdbKey, body, StringComparison.Ordinal);
        Assert.DoesNotContain(RadarrKey, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AKnownMovie_StillAnswersFromTheCache_WhileEveryUpstreamIsDown()
    {
        _radarr.Json(Radarr.MoviePath, Radarr.LibraryMovie());
        _tmdb.Json(Tmdb.MoviePath, Tmdb.MovieWithCredits());
        await using var proxy = await StartAsync(Settings(
            ("EnrichProxy:Enrichment:Ttl", "00:00:00.300"),
            Policy("arr-library", "Ttl", TimeSpan.FromMilliseconds(300)), Policy("arr-library", "StaleWhileRevalidate", TimeSpan.Zero), Policy("arr-library", "StaleIfError", TimeSpan.Zero),
            Policy("tmdb-movie", "Ttl", TimeSpan.FromMilliseconds(300)), Policy("tmdb-movie", "StaleWhileRevalidate", TimeSpan.Zero), Policy("tmdb-movie", "StaleIfError", TimeSpan.Zero)));
        Assert.Equal(HttpStatusCode.OK, (await GetWithArrKeyAsync(proxy, "/api/v1/movies/603")).StatusCode);
        _radarr.Dispose();
        _tmdb.Dispose();
        await Task.Delay(500); // Past every TTL: only the document's stale-if-error copy is left.

        using var response = await GetWithArrKeyAsync(proxy, "/api/v1/movies/603");
        var movie = await JsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("cache", Source(response));
        Assert.Equal("The Matrix", movie.GetProperty("title").GetString());
    }

    public void Dispose()
    {
        _tmdb.Dispose();
        _radarr.Dispose();
    }

    private static Task<HttpResponseMessage> GetWithArrKeyAsync(ProxyHost proxy, string path) => proxy.GetWithApiKeyAsync(path, RadarrKey);

    private static string? Source(HttpResponseMessage response) =>
        response.Headers.TryGetValues("X-EnrichProxy-Source", out var values) ? values.Single() : null;

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    private Dictionary<string, string> Settings(params (string Key, string Value)[] extra) => ProxyHost.Settings(
        [
            Destination("tmdb", _tmdb.Url),
            Destination("radarr", _radarr.Url),
            ("EnrichProxy:Upstreams:tmdb:ApiKey", TmdbKey),
            ("EnrichProxy:Upstreams:tmdb:Retry:MaxRetries", "0"),
            ("EnrichProxy:Upstreams:radarr:ApiKey", RadarrKey),
            ("EnrichProxy:Upstreams:radarr:Retry:MaxRetries", "0"),
            ("EnrichProxy:Overrides:DiskPath", "data/overrides.db"),
            AdminClient.Enabled,
            .. extra,
        ]);
}

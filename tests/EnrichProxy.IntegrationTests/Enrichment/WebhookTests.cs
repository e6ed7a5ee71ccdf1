using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using EnrichProxy.IntegrationTests.Fixtures;
using EnrichProxy.IntegrationTests.Infrastructure;
using static EnrichProxy.IntegrationTests.Infrastructure.ProxyHost;

namespace EnrichProxy.IntegrationTests.Enrichment;

/// <summary><c>POST /webhooks/radarr|sonarr|lidarr</c> with the Arr apps' own payloads.</summary>
public sealed class WebhookTests : IDisposable
{
    private const string RadarrKey = "radarr-key-for-webhooks-4567";
    private const string WebhookUser = "radarr";
    private const string WebhookPassword = "webhook-secret-0123";
    private readonly FakeUpstream _tmdb = new();
    private readonly FakeUpstream _radarr = new();

    // Radarr's "Download" payload, shortened (Settings, Connect, Webhook, On Import).
    private static readonly string DownloadOf603 = """
        {
          "eventType": "Download",
          "instanceName": "Radarr",
          "applicationUrl": "",
          "movie": { "id": 1, "title": "The Matrix", "year": 1999, "releaseDate": "1999-03-31", "folderPath": "/movies/The Matrix (1999)", "tmdbId": 603, "imdbId": "tt0133093" },
          "remoteMovie": { "tmdbId": 603, "imdbId": "tt0133093", "title": "The Matrix", "year": 1999 },
          "movieFile": { "id": 12, "relativePath": "The Matrix (1999).mkv", "quality": "Bluray-1080p", "size": 1796921629 },
          "isUpgrade": false
        }
        """;

    public WebhookTests()
    {
        _radarr.Json(Radarr.MoviePath, Radarr.LibraryMovie());
        _tmdb.Json(Tmdb.MoviePath, Tmdb.MovieWithCredits());
    }

    [Fact]
    public async Task ADownload_PurgesTheLibraryReadsAndTheDocumentOfThatMovie()
    {
        await using var proxy = await StartAsync(Settings());
        await DocumentAsync(proxy, "/api/v1/movies/603");
        Assert.Equal("cache", Source(await DocumentAsync(proxy, "/api/v1/movies/603")));
        Assert.Equal("MISS", await XCacheOfLibraryAsync(proxy));
        Assert.Equal("HIT", await XCacheOfLibraryAsync(proxy));

        using var webhook = await PostAsync(proxy, "radarr", DownloadOf603);
        var result = JsonDocument.Parse(await webhook.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, webhook.StatusCode);
        Assert.Equal("movies/603", result.GetProperty("item").GetString());
        Assert.Equal("radarr-movie", result.GetProperty("purgedRoutes")[0].GetString());
        Assert.Equal("MISS", await XCacheOfLibraryAsync(proxy));
        Assert.Equal("arr", Source(await DocumentAsync(proxy, "/api/v1/movies/603")));
        Assert.Equal(2, _radarr.Received(Radarr.MoviePath).Count(entry => entry.RequestMessage.Query?.ContainsKey("tmdbId") == true));
        Assert.Single(_tmdb.Received(Tmdb.MoviePath)); // TMDb's answer did not change: its route is not purged.
    }

    [Fact]
    public async Task ATestEvent_PurgesNothing()
    {
        await using var proxy = await StartAsync(Settings());
        await DocumentAsync(proxy, "/api/v1/movies/603");

        using var webhook = await PostAsync(proxy, "radarr", """{"eventType":"Test","movie":{"id":1,"title":"Test Title","tmdbId":0}}""");

        Assert.Equal(HttpStatusCode.OK, webhook.StatusCode);
        Assert.Equal("cache", Source(await DocumentAsync(proxy, "/api/v1/movies/603")));
    }

    [Theory]
    [InlineData("sonarr", """{"eventType":"Download","series":{"id":5,"title":"Game of Thrones","path":"/tv/Game of Thrones","tvdbId":121361},"episodes":[{"id":1,"episodeNumber":1,"seasonNumber":1}]}""",
        "series/121361", "sonarr-series")]
    [InlineData("lidarr", """{"eventType":"Retag","artist":{"id":7,"name":"Ed Sheeran","path":"/music/Ed Sheeran","mbId":"b8a7c51f-362c-4dcb-a259-bc6e0095f0a6"}}""",
        "artists/b8a7c51f-362c-4dcb-a259-bc6e0095f0a6", "lidarr-album,lidarr-artist")]
    [InlineData("sonarr", """{"eventType":"Test","series":{"id":1,"title":"Test Title","path":"C:\\testpath","tvdbId":1234}}""", null, "")]
    public async Task SonarrAndLidarrPayloads_NameTheirItemAndPurgeTheirLibraryRoutes(string arr, string body, string? item, string routes)
    {
        await using var proxy = await StartAsync(Settings());

        using var webhook = await PostAsync(proxy, arr, body);
        var result = JsonDocument.Parse(await webhook.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, webhook.StatusCode);
        Assert.Equal(item, result.GetProperty("item").GetString());
        Assert.Equal(routes, string.Join(",", result.GetProperty("purgedRoutes").EnumerateArray().Select(r => r.GetString()).Order(StringComparer.Ordinal)));
    }

    [Theory]
    [InlineData("radarr", "not json", HttpStatusCode.BadRequest)]
    [InlineData("radarr", """{"movie":{"tmdbId":603}}""", HttpStatusCode.BadRequest)]
    [InlineData("readarr", """{"eventType":"Download"}""", HttpStatusCode.NotFound)]
    public async Task BadWebhooks_GetAProblemThatSaysWhat(string arr, string body, HttpStatusCode expected)
    {
        await using var proxy = await StartAsync(Settings());

        using var webhook = await PostAsync(proxy, arr, body);

        Assert.Equal(expected, webhook.StatusCode);
        Assert.Equal("application/problem+json", webhook.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task WithCredentialsConfigured_OnlyTheArrsBasicCredentialsAreAccepted()
    {
        await using var proxy = await StartAsync(Settings());

        using var none = await PostAsync(proxy, "radarr", DownloadOf603, credentials: null);
        using var wrong = await PostAsync(proxy, "radarr", DownloadOf603, ("radarr", "guess"));
        using var right = await PostAsync(proxy, "radarr", DownloadOf603);

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Contains("Basic", none.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
    }

    [Fact]
    public async Task WithoutCredentialsConfigured_EveryWebhookIsRefused_AndTheStartSaysWhy()
    {
        await using var proxy = await StartAsync(Settings(("EnrichProxy:Webhooks:Password", "")));
        await DocumentAsync(proxy, "/api/v1/movies/603");

        using var webhook = await PostAsync(proxy, "radarr", DownloadOf603, credentials: null);
        using var guessed = await PostAsync(proxy, "radarr", DownloadOf603, ("radarr", ""));
        using var again = await DocumentAsync(proxy, "/api/v1/movies/603");

        Assert.Equal(HttpStatusCode.Unauthorized, webhook.StatusCode);
        Assert.Contains("No webhook credentials are set", await webhook.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, guessed.StatusCode);
        Assert.Equal("cache", Source(again));
        Assert.True(proxy.Logs.Contains("WebhooksWithoutCredentials"), proxy.Logs.AllText);
        Assert.False(proxy.Logs.Contains("Purged"));
    }

    [Fact]
    public async Task AllowAnonymous_AcceptsWebhooksWithoutCredentials_AndSaysSoAtTheStart()
    {
        await using var proxy = await StartAsync(Settings(("EnrichProxy:Webhooks:Password", ""), ("EnrichProxy:Webhooks:AllowAnonymous", "true")));

        using var webhook = await PostAsync(proxy, "radarr", DownloadOf603, credentials: null);

        Assert.Equal(HttpStatusCode.OK, webhook.StatusCode);
        Assert.True(proxy.Logs.Contains("WebhooksAnonymous"), proxy.Logs.AllText);
    }

    [Fact]
    public async Task UnknownEventTypes_AreRefused_NotPurgedAndNotLogged()
    {
        await using var proxy = await StartAsync(Settings());
        var forged = "Download\r\ninfo: EnrichProxy.Admin[1]\r\n      admin key accepted " + new string('x', 1024 * 1024);

        using var webhook = await PostAsync(proxy, "radarr", JsonSerializer.Serialize(new { eventType = forged, movie = new { tmdbId = 603 } }));
        using var made = await PostAsync(proxy, "radarr", """{"eventType":"MadeUp","movie":{"tmdbId":604}}""");

        Assert.Equal(HttpStatusCode.BadRequest, webhook.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, made.StatusCode);
        Assert.DoesNotContain("admin key accepted", await webhook.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(proxy.Logs.Lines, line => line.Contains("admin key accepted", StringComparison.Ordinal) || line.Contains("MadeUp", StringComparison.Ordinal));
        Assert.False(proxy.Logs.Contains("Purged"));
    }

    public void Dispose()
    {
        _tmdb.Dispose();
        _radarr.Dispose();
    }

    private static async Task<string> XCacheOfLibraryAsync(ProxyHost proxy)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/radarr/api/v3/movie");
        request.Headers.Add("X-Api-Key", RadarrKey);
        using var response = await proxy.Client.SendAsync(request);
        return response.XCache();
    }

    // With the credentials the proxy is configured with, unless told otherwise (null: none at all).
    private static Task<HttpResponseMessage> PostAsync(ProxyHost proxy, string arr, string body) =>
        PostAsync(proxy, arr, body, (WebhookUser, WebhookPassword));

    private static async Task<HttpResponseMessage> PostAsync(ProxyHost proxy, string arr, string body, (string User, string Password)? credentials)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/webhooks/{arr}") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (credentials is { } basic)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{basic.User}:{basic.Password}")));
        }

        return await proxy.Client.SendAsync(request);
    }

    private static string? Source(HttpResponseMessage response) =>
        response.Headers.TryGetValues("X-EnrichProxy-Source", out var values) ? values.Single() : null;

    private Dictionary<string, string> Settings(params (string Key, string Value)[] extra) => ProxyHost.Settings(
        [
            Destination("tmdb", _tmdb.Url),
            Destination("radarr", _radarr.Url),
            ("EnrichProxy:Upstreams:tmdb:ApiKey", "tmdb-key-for-webhooks-0123"),
            ("EnrichProxy:Upstreams:radarr:ApiKey", RadarrKey),
            ("EnrichProxy:Overrides:DiskPath", "data/overrides.db"),
            ("EnrichProxy:Webhooks:Username", WebhookUser),
            ("EnrichProxy:Webhooks:Password", WebhookPassword),
            .. extra,
        ]);

    // A document as a holder of the Arr key sees it, library tier included.
    private static Task<HttpResponseMessage> DocumentAsync(ProxyHost proxy, string path) => proxy.GetWithApiKeyAsync(path, RadarrKey);
}

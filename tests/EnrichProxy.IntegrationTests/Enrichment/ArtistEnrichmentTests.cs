using System.Net;
using System.Text.Json;
using EnrichProxy.IntegrationTests.Fixtures;
using EnrichProxy.IntegrationTests.Infrastructure;
using static EnrichProxy.IntegrationTests.Infrastructure.ProxyHost;

namespace EnrichProxy.IntegrationTests.Enrichment;

/// <summary><c>GET /api/v1/artists/{mbid}</c> over a fake Lidarr, MusicBrainz and Fanart.tv.</summary>
public sealed class ArtistEnrichmentTests : IDisposable
{
    private const string FanartKey = "fanart-key-for-enrichment-0123";
    private const string LidarrKey = "lidarr-key-for-enrichment-4567";
    private readonly FakeUpstream _lidarr = new();
    private readonly FakeUpstream _musicBrainz = new();
    private readonly FakeUpstream _fanart = new();

    public ArtistEnrichmentTests()
    {
        _musicBrainz.Json(Music.MusicBrainzArtistPath, Music.MusicBrainzArtist());
        _fanart.Json(Music.FanartPath, Music.FanartArtist());
    }

    [Fact]
    public async Task ALibraryArtist_AnswersFromLidarrFirst_WithReleaseGroupsFromMusicBrainz()
    {
        _lidarr.Json(Music.LidarrArtistPath, Music.LidarrArtist(name: "Ed Sheeran (library)"));
        await using var proxy = await StartAsync(Settings());

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/artists/{Music.Mbid.ToUpperInvariant()}");
        request.Headers.Add("X-Api-Key", LidarrKey);
        using var response = await proxy.Client.SendAsync(request);
        var artist = await JsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("arr", response.Headers.GetValues("X-EnrichProxy-Source").Single());
        Assert.Equal("Ed Sheeran (library)", artist.GetProperty("name").GetString());
        Assert.Equal("arr", artist.GetProperty("sources").GetProperty("name").GetString());
        Assert.Equal("GB", artist.GetProperty("country").GetString());
        Assert.Equal("external", artist.GetProperty("sources").GetProperty("country").GetString());
        Assert.Equal("÷", artist.GetProperty("releaseGroups")[1].GetProperty("title").GetString());
        Assert.Equal(Music.Mbid, artist.GetProperty("ids").GetProperty("musicbrainz").GetString());
        Assert.True(artist.GetProperty("library").GetProperty("hasFile").GetBoolean());
        Assert.True(artist.GetProperty("complete").GetBoolean());
        Assert.Equal(LidarrKey, _lidarr.Received(Music.LidarrArtistPath)[0].RequestMessage.Headers!["X-Api-Key"].Single());
        Assert.Equal(Music.Mbid, _lidarr.Received(Music.LidarrArtistPath)[0].RequestMessage.Query!["mbId"].Single());
    }

    [Fact]
    public async Task AnArtistOutsideTheLibrary_AnswersFromMusicBrainzAndFanart()
    {
        _lidarr.Json(Music.LidarrArtistPath, "[]");
        await using var proxy = await StartAsync(Settings());

        using var response = await proxy.Client.GetAsync($"/api/v1/artists/{Music.Mbid}");
        var artist = await JsonAsync(response);

        Assert.Equal("external", response.Headers.GetValues("X-EnrichProxy-Source").Single());
        Assert.Equal("Sheeran, Ed", artist.GetProperty("sortName").GetString());
        Assert.Equal("pop", artist.GetProperty("genres")[0].GetString());
        Assert.Equal("https://assets.fanart.tv/fanart/music/ed-background.jpg", artist.GetProperty("images").GetProperty("background")[0].GetString());
        Assert.Equal(JsonValueKind.Null, artist.GetProperty("library").ValueKind);
        Assert.Equal(FanartKey, _fanart.Received(Music.FanartPath)[0].RequestMessage.Query!["api_key"].Single());
    }

    [Fact]
    public async Task FanartFailing_GivesAnIncompleteDocument_ThatIsNotCached()
    {
        _lidarr.Json(Music.LidarrArtistPath, "[]");
        _fanart.Server.Reset();
        _fanart.Json(Music.FanartPath, """{"status":"error"}""", status: 500);
        await using var proxy = await StartAsync(Settings());

        using var response = await proxy.Client.GetAsync($"/api/v1/artists/{Music.Mbid}");
        var artist = await JsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(artist.GetProperty("complete").GetBoolean());
        Assert.Equal("Ed Sheeran", artist.GetProperty("name").GetString());
        Assert.NotEqual("cache", (await proxy.Client.GetAsync($"/api/v1/artists/{Music.Mbid}")).Headers.GetValues("X-EnrichProxy-Source").Single());
    }

    [Theory]
    [InlineData("/api/v1/artists/not-an-mbid", HttpStatusCode.BadRequest)]
    [InlineData("/api/v1/artists/00000000-0000-0000-0000-000000000001", HttpStatusCode.NotFound)]
    public async Task BadOrUnknownArtists_GetAProblem(string path, HttpStatusCode expected)
    {
        _lidarr.Json(Music.LidarrArtistPath, "[]");
        _musicBrainz.Json("/ws/2/artist/00000000-0000-0000-0000-000000000001", """{"error":"Not Found"}""", status: 404);
        await using var proxy = await StartAsync(Settings());

        using var response = await proxy.Client.GetAsync(path);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    public void Dispose()
    {
        _lidarr.Dispose();
        _musicBrainz.Dispose();
        _fanart.Dispose();
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    private Dictionary<string, string> Settings() => ProxyHost.Settings(
        Destination("lidarr", _lidarr.Url),
        Destination("musicbrainz", _musicBrainz.Url),
        Destination("fanart", _fanart.Url),
        ("EnrichProxy:Upstreams:lidarr:ApiKey", LidarrKey),
        ("EnrichProxy:Upstreams:fanart:ApiKey", FanartKey),
        ("EnrichProxy:Upstreams:fanart:Retry:MaxRetries", "0"),
        ("EnrichProxy:Upstreams:musicbrainz:RateLimit:PermitsPerSecond", "0"),
        ("EnrichProxy:Upstreams:fanart:RateLimit:PermitsPerSecond", "0"),
        ("EnrichProxy:Overrides:DiskPath", "data/overrides.db"));
}

using System.Net;
using System.Text.Json;
using EnrichProxy.IntegrationTests.Fixtures;
using EnrichProxy.IntegrationTests.Infrastructure;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using static EnrichProxy.IntegrationTests.Infrastructure.ProxyHost;

namespace EnrichProxy.IntegrationTests.Enrichment;

/// <summary><c>GET /api/v1/series/{tvdbId}</c> over a fake Sonarr and a fake TheTVDB v4 (with its login).</summary>
public sealed class SeriesEnrichmentTests : IDisposable
{
    private const string TvdbKey = "tvdb-key-for-enrichment-0123";
    private const string SonarrKey = "sonarr-key-for-enrichment-4567";
    private readonly FakeUpstream _sonarr = new();
    private readonly FakeUpstream _tvdb = new();

    public SeriesEnrichmentTests()
    {
        _tvdb.Server.Given(Request.Create().WithPath("/v4/login").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody("""{"status":"success","data":{"token":"tvdb-session-token"}}"""));
        _tvdb.Server.Given(Request.Create().WithPath(Series.TvdbPath).UsingGet().WithHeader("Authorization", "Bearer tvdb-session-token"))
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(Series.TvdbExtended()));
    }

    [Fact]
    public async Task ALibrarySeries_AnswersFromSonarrFirst_WithCastFromTheTvdb()
    {
        _sonarr.Json(Series.SonarrPath, Series.SonarrSeries(title: "Game of Thrones (library)"));
        await using var proxy = await StartAsync(Settings());

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/series/{Series.TvdbId}?apikey={SonarrKey}");
        using var response = await proxy.Client.SendAsync(request);
        var series = await JsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("arr", response.Headers.GetValues("X-EnrichProxy-Source").Single());
        Assert.Equal("Game of Thrones (library)", series.GetProperty("title").GetString());
        Assert.Equal(2, series.GetProperty("seasons").GetArrayLength());
        Assert.Equal("arr", series.GetProperty("sources").GetProperty("seasons").GetString());
        Assert.Equal("Kit Harington", series.GetProperty("cast")[0].GetProperty("name").GetString());
        Assert.Equal("Creator", series.GetProperty("crew")[0].GetProperty("job").GetString());
        Assert.Equal("external", series.GetProperty("sources").GetProperty("cast").GetString());
        Assert.Equal("tt0944947", series.GetProperty("ids").GetProperty("imdb").GetString());
        Assert.Equal(1399, series.GetProperty("ids").GetProperty("tmdb").GetInt32());
        Assert.True(series.GetProperty("library").GetProperty("hasFile").GetBoolean());
        Assert.True(series.GetProperty("complete").GetBoolean());
    }

    [Fact]
    public async Task ASeriesOutsideTheLibrary_AnswersFromTheTvdb_ThroughItsLogin()
    {
        _sonarr.Json(Series.SonarrPath, "[]");
        await using var proxy = await StartAsync(Settings());

        using var response = await proxy.Client.GetAsync($"/api/v1/series/{Series.TvdbId}?fields=title,year,seasons,network,status");
        var series = await JsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("external", response.Headers.GetValues("X-EnrichProxy-Source").Single());
        Assert.Equal(2011, series.GetProperty("year").GetInt32());
        Assert.Single(series.GetProperty("seasons").EnumerateArray()); // The aired order only.
        Assert.Equal("HBO", series.GetProperty("network").GetString());
        Assert.Equal("Ended", series.GetProperty("status").GetString());
        Assert.Single(_tvdb.Received("/v4/login"));
        Assert.Contains(TvdbKey, _tvdb.Received("/v4/login")[0].RequestMessage.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("tvdb-session-token", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASeriesNobodyKnows_Is404()
    {
        _sonarr.Json(Series.SonarrPath, "[]");
        _tvdb.Server.Given(Request.Create().WithPath("/v4/series/7/extended").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(404).WithHeader("Content-Type", "application/json").WithBody("""{"status":"failure","message":"NotFoundException"}"""));
        await using var proxy = await StartAsync(Settings());

        using var response = await proxy.Client.GetAsync("/api/v1/series/7");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    public void Dispose()
    {
        _sonarr.Dispose();
        _tvdb.Dispose();
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    private Dictionary<string, string> Settings() => ProxyHost.Settings(
        Destination("sonarr", _sonarr.Url),
        Destination("tvdb", _tvdb.Url),
        ("EnrichProxy:Upstreams:sonarr:ApiKey", SonarrKey),
        ("EnrichProxy:Upstreams:tvdb:ApiKey", TvdbKey),
        ("EnrichProxy:Upstreams:tvdb:Retry:MaxRetries", "0"),
        ("EnrichProxy:Overrides:DiskPath", "data/overrides.db"));
}

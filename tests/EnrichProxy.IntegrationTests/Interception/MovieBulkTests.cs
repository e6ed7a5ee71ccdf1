using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EnrichProxy.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using static EnrichProxy.IntegrationTests.Fixtures.MetadataServers;
using static EnrichProxy.IntegrationTests.Infrastructure.ProxyHost;

namespace EnrichProxy.IntegrationTests.Interception;

/// <summary>Radarr's <c>POST /v1/movie/bulk</c> answered per id from the single lookups' entries.</summary>
public sealed class MovieBulkTests : IDisposable
{
    private static readonly int[] Cached = [603, 604, 605, 606, 607, 608, 609];
    private static readonly int[] Asked = [610, 603, 604, 611, 605, 606, 607, 612, 608, 609];
    private static readonly int[] NotCached = [610, 611, 612];

    private readonly FakeUpstream _radarr = new();
    // Starts at the real time: the clients check the proxy's certificates, issued by this clock, against theirs.
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    public MovieBulkTests()
    {
        foreach (var id in Cached.Concat(NotCached))
        {
            _radarr.Json(RadarrMoviePath(id), Movie(id, $"Movie {id}"));
        }

        // Like Radarr's server: the movies it knows of the ids asked, in any order.
        _radarr.Server.Given(Request.Create().WithPath(RadarrBulkPath).UsingPost()).RespondWith(Response.Create()
            .WithStatusCode(200).WithHeader("Content-Type", "application/json")
            .WithBody(request => Movies(JsonSerializer.Deserialize<int[]>(request.Body!)!.Reverse())));
    }

    [Fact]
    public async Task ABulkOfTenIds_WithSevenCached_CostsOneUpstreamRequestOfThree_AndAnswersInTheOrderAsked()
    {
        await using var proxy = await StartAsync(Settings([Destination("radarr-metadata", _radarr.Url + "/v1/"), .. InterceptingProxy.Enabled(frontDoor: false)]), _time);
        using var ca = await proxy.CaAsync();
        using var radarr = proxy.RadarrLikeClient(ca);
        foreach (var id in Cached)
        {
            using var single = await radarr.GetAsync(RadarrMovieUrl(id));
            Assert.Equal("MISS", single.XCache());
        }

        using var bulk = await radarr.PostAsJsonAsync(RadarrBulkUrl, Asked);

        Assert.Equal(HttpStatusCode.OK, bulk.StatusCode);
        Assert.Equal("MISS", bulk.XCache());
        Assert.Equal(Asked, TmdbIds(await bulk.BodyAsync()));
        var upstream = Assert.Single(_radarr.Received(RadarrBulkPath));
        Assert.Equal(NotCached, JsonSerializer.Deserialize<int[]>(upstream.RequestMessage.Body!));

        // The fetched movies are now the single lookups' entries, and a second bulk is all hits.
        using var single610 = await radarr.GetAsync(RadarrMovieUrl(610));
        Assert.Equal("HIT", single610.XCache());
        using var again = await radarr.PostAsJsonAsync(RadarrBulkUrl, Asked);
        Assert.Equal("HIT", again.XCache());
        Assert.Equal(Asked, TmdbIds(await again.BodyAsync()));
        Assert.Single(_radarr.Received(RadarrBulkPath));
        Assert.Empty(_radarr.Received(RadarrMoviePath(610)));
    }

    [Fact]
    public async Task WithTheUpstreamDown_TheIdsHeldStaleAreAnswered_AndTheRestLeftOut()
    {
        await using var proxy = await StartAsync(Settings(Destination("radarr-metadata", _radarr.Url + "/v1/")), _time);
        foreach (var id in Cached)
        {
            using var single = await proxy.Client.GetAsync($"/radarr-metadata/movie/{id}");
        }

        _radarr.Server.Reset();
        _radarr.Json(RadarrBulkPath, "{}", status: 503);
        _time.Advance(TimeSpan.FromDays(2)); // Past Ttl and StaleWhileRevalidate, within StaleIfError.

        using var bulk = await proxy.Client.PostAsJsonAsync("/radarr-metadata/movie/bulk", Asked);

        Assert.Equal(HttpStatusCode.OK, bulk.StatusCode);
        Assert.Equal("STALE", bulk.XCache());
        Assert.Equal(Asked.Where(Cached.Contains), TmdbIds(await bulk.BodyAsync()));
        Assert.Single(_radarr.Received(RadarrBulkPath));
    }

    [Fact]
    public async Task WithNothingCachedAndTheUpstreamDown_TheClientGetsTheUpstreamsFailure()
    {
        _radarr.Server.Reset();
        _radarr.Json(RadarrBulkPath, "{}", status: 503);
        await using var proxy = await StartAsync(Settings(Destination("radarr-metadata", _radarr.Url + "/v1/")), _time);

        using var bulk = await proxy.Client.PostAsJsonAsync("/radarr-metadata/movie/bulk", NotCached);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, bulk.StatusCode);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"ids\":[1]}")]
    [InlineData("[\"603\"]")]
    public async Task ABodyThatIsNotAnArrayOfIds_Is400(string body)
    {
        await using var proxy = await StartAsync(Settings(Destination("radarr-metadata", _radarr.Url + "/v1/")));

        using var response = await proxy.Client.PostAsync("/radarr-metadata/movie/bulk", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(_radarr.Received(RadarrBulkPath));
    }

    [Fact]
    public async Task MoreIdsThanTheBound_Is400()
    {
        await using var proxy = await StartAsync(Settings(Destination("radarr-metadata", _radarr.Url + "/v1/")));

        using var response = await proxy.Client.PostAsJsonAsync("/radarr-metadata/movie/bulk", Enumerable.Range(1, 1001));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    public void Dispose() => _radarr.Dispose();

    private static int[] TmdbIds(string json) =>
        [.. JsonDocument.Parse(json).RootElement.EnumerateArray().Select(movie => movie.GetProperty("TmdbId").GetInt32())];
}

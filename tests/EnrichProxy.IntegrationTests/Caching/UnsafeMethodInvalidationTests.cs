using System.Net;
using EnrichProxy.IntegrationTests.Fixtures;
using EnrichProxy.IntegrationTests.Infrastructure;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using static EnrichProxy.IntegrationTests.Infrastructure.ProxyHost;

namespace EnrichProxy.IntegrationTests.Caching;

/// <summary>A successful POST, PUT, PATCH or DELETE through a cached route drops the cached reads of what it changed (RFC 9111 4.4).</summary>
public sealed class UnsafeMethodInvalidationTests : IDisposable
{
    private const string RatingPath = "/3/movie/603/rating";
    private const string ProxyRatingPath = "/tmdb" + RatingPath;
    private const string RadarrKey = "radarr-instance-secret-91ab";
    private readonly FakeUpstream _tmdb = new();
    private readonly FakeUpstream _radarr = new();

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("PATCH")]
    [InlineData("DELETE")]
    public async Task ASuccessfulUnsafeRequest_DropsTheCachedReadOfItsTarget(string method)
    {
        AnswerGet(_tmdb, RatingPath, """{"value":8}""");
        Answer(_tmdb, method, RatingPath, 201);
        await using var proxy = await StartAsync(TmdbSettings());
        using var miss = await proxy.Client.GetAsync(ProxyRatingPath);
        using var hit = await proxy.Client.GetAsync(ProxyRatingPath);
        Assert.Equal("HIT", hit.XCache());

        using var change = await proxy.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), ProxyRatingPath) { Content = new StringContent("""{"value":9}""") });
        using var after = await proxy.Client.GetAsync(ProxyRatingPath);

        Assert.Equal(HttpStatusCode.Created, change.StatusCode);
        Assert.Equal("MISS", after.XCache());
        Assert.Equal(2, _tmdb.Received(RatingPath).Count(entry => entry.RequestMessage.Method == "GET"));
    }

    [Fact]
    public async Task AFailedUnsafeRequest_LeavesTheCacheAlone()
    {
        AnswerGet(_tmdb, RatingPath, """{"value":8}""");
        Answer(_tmdb, "POST", RatingPath, 401);
        await using var proxy = await StartAsync(TmdbSettings());
        using var miss = await proxy.Client.GetAsync(ProxyRatingPath);

        using var refused = await proxy.Client.PostAsync(ProxyRatingPath, new StringContent("{}"));
        using var after = await proxy.Client.GetAsync(ProxyRatingPath);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("HIT", after.XCache());
    }

    [Fact]
    public async Task LocationAndContentLocation_OnTheSameUpstream_AreDroppedToo_AndThoseElsewhereAreNot()
    {
        AnswerGet(_tmdb, RatingPath, """{"value":8}""");
        foreach (var id in new[] { 604, 605, 606 })
        {
            _tmdb.Json($"/3/movie/{id}", Tmdb.Movie($"Movie {id}"));
        }

        _tmdb.Server.Given(Request.Create().WithPath(RatingPath).UsingPost()).RespondWith(Response.Create().WithStatusCode(201)
            .WithHeader("Location", "/3/movie/604") // The upstream's own path: the proxy's is /tmdb/3/movie/604.
            .WithHeader("Content-Location", _tmdb.Url + "/3/movie/605?language=en")
            .WithBody("{}"));
        await using var proxy = await StartAsync(TmdbSettings());
        foreach (var path in new[] { "/tmdb/3/movie/604", "/tmdb/3/movie/605?language=en", "/tmdb/3/movie/606" })
        {
            using var fill = await proxy.Client.GetAsync(path);
        }

        using var change = await proxy.Client.PostAsync(ProxyRatingPath, new StringContent("{}"));

        Assert.Equal("MISS", await XCacheAsync(proxy, "/tmdb/3/movie/604"));
        Assert.Equal("MISS", await XCacheAsync(proxy, "/tmdb/3/movie/605?language=en"));
        Assert.Equal("HIT", await XCacheAsync(proxy, "/tmdb/3/movie/606"));
    }

    [Fact]
    public async Task ALocationOnAnotherHost_IsNotPurged()
    {
        _tmdb.Json("/3/movie/604", Tmdb.Movie("Movie 604"));
        _tmdb.Server.Given(Request.Create().WithPath(RatingPath).UsingPost()).RespondWith(Response.Create().WithStatusCode(201)
            .WithHeader("Location", "https://elsewhere.example/3/movie/604").WithBody("{}"));
        await using var proxy = await StartAsync(TmdbSettings());
        using var fill = await proxy.Client.GetAsync("/tmdb/3/movie/604");

        using var change = await proxy.Client.PostAsync(ProxyRatingPath, new StringContent("{}"));

        Assert.Equal("HIT", await XCacheAsync(proxy, "/tmdb/3/movie/604"));
    }

    [Theory]
    [InlineData("/\\[x")]
    [InlineData("http://[::1")]
    [InlineData("mailto:someone@example.com")]
    public async Task AMalformedLocation_NeitherFailsTheChangeNorStopsItsOwnInvalidation(string location)
    {
        AnswerGet(_tmdb, RatingPath, """{"value":8}""");
        _tmdb.Server.Given(Request.Create().WithPath(RatingPath).UsingPost()).RespondWith(Response.Create().WithStatusCode(201)
            .WithHeader("Location", location).WithBody("{}"));
        await using var proxy = await StartAsync(TmdbSettings());
        using var fill = await proxy.Client.GetAsync(ProxyRatingPath);

        using var change = await proxy.Client.PostAsync(ProxyRatingPath, new StringContent("{}"));

        Assert.Equal(HttpStatusCode.Created, change.StatusCode);
        Assert.Equal("MISS", await XCacheAsync(proxy, ProxyRatingPath));
    }

    [Fact]
    public async Task APutToAnArrItem_DropsTheItemAndTheLibraryListsThatHoldIt()
    {
        AnswerGet(_radarr, "/api/v3/movie/12", Radarr.LibraryMovie().Trim()[1..^1]); // The item alone.
        _radarr.Json(Radarr.MoviePath, Radarr.LibraryMovie());
        Answer(_radarr, "PUT", "/api/v3/movie/12", 202);
        await using var proxy = await StartAsync(Settings(
            Destination("radarr", _radarr.Url), ("EnrichProxy:Upstreams:radarr:ApiKey", RadarrKey)));
        string[] reads = ["/radarr/api/v3/movie/12", "/radarr/api/v3/movie?tmdbId=603", "/radarr/api/v3/movie"];
        foreach (var path in reads)
        {
            using var fill = await proxy.GetWithApiKeyAsync(path, RadarrKey);
            using var hit = await proxy.GetWithApiKeyAsync(path, RadarrKey);
            Assert.Equal("HIT", hit.XCache());
        }

        using var put = new HttpRequestMessage(HttpMethod.Put, "/radarr/api/v3/movie/12") { Content = new StringContent("""{"monitored":false}""") };
        put.Headers.Add("X-Api-Key", RadarrKey);
        using var changed = await proxy.Client.SendAsync(put);

        Assert.Equal(HttpStatusCode.Accepted, changed.StatusCode);
        foreach (var path in reads)
        {
            using var after = await proxy.GetWithApiKeyAsync(path, RadarrKey);
            Assert.Equal("MISS", after.XCache());
        }
    }

    [Fact]
    public async Task ACommandThroughAnUncachedArrRoute_DropsThatInstancesCachedReads()
    {
        AnswerGet(_radarr, "/api/v3/movie/12", Radarr.LibraryMovie().Trim()[1..^1]);
        Answer(_radarr, "POST", "/api/v3/command", 201);
        await using var proxy = await StartAsync(Settings(
            Destination("radarr", _radarr.Url), ("EnrichProxy:Upstreams:radarr:ApiKey", RadarrKey)));
        using (var fill = await proxy.GetWithApiKeyAsync("/radarr/api/v3/movie/12", RadarrKey))
        {
            Assert.Equal("MISS", fill.XCache());
        }

        using var command = new HttpRequestMessage(HttpMethod.Post, "/radarr/api/v3/command") { Content = new StringContent("""{"name":"RefreshMovie","movieIds":[12]}""") };
        command.Headers.Add("X-Api-Key", RadarrKey);
        using var sent = await proxy.Client.SendAsync(command);
        using var after = await proxy.GetWithApiKeyAsync("/radarr/api/v3/movie/12", RadarrKey);

        Assert.Equal(HttpStatusCode.Created, sent.StatusCode);
        Assert.Equal("MISS", after.XCache());
    }

    public void Dispose()
    {
        _tmdb.Dispose();
        _radarr.Dispose();
    }

    private static void Answer(FakeUpstream upstream, string method, string path, int status) =>
        upstream.Server.Given(Request.Create().WithPath(path).UsingMethod(method))
            .RespondWith(Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json").WithBody("{}"));

    private static void AnswerGet(FakeUpstream upstream, string path, string body) =>
        upstream.Server.Given(Request.Create().WithPath(path).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(body));

    private static async Task<string> XCacheAsync(ProxyHost proxy, string path)
    {
        using var response = await proxy.Client.GetAsync(path);
        return response.XCache();
    }

    private Dictionary<string, string> TmdbSettings() => Settings(Destination("tmdb", _tmdb.Url));
}

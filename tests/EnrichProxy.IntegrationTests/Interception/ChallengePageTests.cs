using System.Net;
using EnrichProxy.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using static EnrichProxy.IntegrationTests.Fixtures.MetadataServers;
using static EnrichProxy.IntegrationTests.Infrastructure.ProxyHost;

namespace EnrichProxy.IntegrationTests.Interception;

/// <summary>api.radarr.video's Cloudflare challenge page (Radarr#11602) is a failure, never an answer: stale is served, nothing stored.</summary>
public sealed class ChallengePageTests : IDisposable
{
    private readonly FakeUpstream _radarr = new();
    // Starts at the real time: the clients check the proxy's certificates, issued by this clock, against theirs.
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    [Theory]
    [InlineData(200)]
    [InlineData(403)]
    public async Task AnHtmlChallenge_IsNotStored_AndTheStaleEntryAnswers(int challengeStatus)
    {
        _radarr.Json(RadarrMoviePath(603), Movie(603));
        await using var proxy = await StartAsync(Settings([Destination("radarr-metadata", _radarr.Url + "/v1/"), .. InterceptingProxy.Enabled(frontDoor: false)]), _time);
        using var ca = await proxy.CaAsync();
        using var radarr = proxy.RadarrLikeClient(ca);
        using var filled = await radarr.GetAsync(RadarrMovieUrl(603));
        Assert.Equal("MISS", filled.XCache());

        Challenge(challengeStatus);
        _time.Advance(TimeSpan.FromDays(2)); // Past Ttl and StaleWhileRevalidate: the next read asks the upstream.
        using var stale = await radarr.GetAsync(RadarrMovieUrl(603));
        using var staleAgain = await radarr.GetAsync(RadarrMovieUrl(603));

        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.Equal("STALE", stale.XCache());
        Assert.Equal("application/json", stale.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"TmdbId\":603", await stale.BodyAsync(), StringComparison.Ordinal);
        Assert.Equal("STALE", staleAgain.XCache());
        Assert.DoesNotContain("Just a moment", await staleAgain.BodyAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnHtmlChallenge_WithNothingStale_IsA502Problem_AndNothingIsStored()
    {
        Challenge(200);
        await using var proxy = await StartAsync(Settings(Destination("radarr-metadata", _radarr.Url + "/v1/")), _time);

        using var challenged = await proxy.Client.GetAsync("/radarr-metadata/movie/603");
        Assert.Equal(HttpStatusCode.BadGateway, challenged.StatusCode);
        Assert.Equal("application/problem+json", challenged.Content.Headers.ContentType?.MediaType);

        _radarr.Server.Reset();
        _radarr.Json(RadarrMoviePath(603), Movie(603));
        using var recovered = await proxy.Client.GetAsync("/radarr-metadata/movie/603");
        Assert.Equal("MISS", recovered.XCache());
        Assert.Single(_radarr.Received(RadarrMoviePath(603))); // Fetched again: the challenge left nothing behind.
    }

    public void Dispose() => _radarr.Dispose();

    private void Challenge(int status)
    {
        _radarr.Server.Reset();
        _radarr.Server
            .Given(WireMock.RequestBuilders.Request.Create().WithPath(RadarrMoviePath(603)).UsingGet())
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithStatusCode(status).WithHeader("Content-Type", "text/html; charset=UTF-8").WithBody(ChallengePage));
    }
}

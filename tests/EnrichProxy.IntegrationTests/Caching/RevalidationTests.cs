using EnrichProxy.IntegrationTests.Fixtures;
using EnrichProxy.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Types;
using WireMock.Util;
using static EnrichProxy.IntegrationTests.Infrastructure.ProxyHost;

namespace EnrichProxy.IntegrationTests.Caching;

/// <summary>An expired entry with a validator is revalidated upstream with a conditional request; a 304 costs no body.</summary>
public sealed class RevalidationTests : IDisposable
{
    private const string ETag = "\"movie-603-v1\"";
    private readonly FakeUpstream _tmdb = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

    public RevalidationTests() =>
        // The origin as a real one behaves: 304 without a body when the client's tag is current.
        _tmdb.Server.Given(Request.Create().WithPath(Tmdb.MoviePath).UsingGet()).RespondWith(Response.Create().WithCallback(request =>
            request.Headers?.TryGetValue("If-None-Match", out var tags) == true && tags.Contains(ETag)
                ? new WireMock.ResponseMessage { StatusCode = 304, Headers = Headers(("ETag", ETag), ("Cache-Control", "max-age=300")) }
                : new WireMock.ResponseMessage
                {
                    StatusCode = 200,
                    Headers = Headers(("ETag", ETag), ("Content-Type", "application/json"), ("Cache-Control", "max-age=60")),
                    BodyData = new BodyData { BodyAsString = Tmdb.Movie(), DetectedBodyType = BodyType.String },
                }));

    [Fact]
    public async Task AStaleWhileRevalidateRefresh_SendsTheETag_AndA304MakesTheEntryFreshWithoutABody()
    {
        await using var proxy = await StartAsync(Settings(Destination("tmdb", _tmdb.Url)), _time);
        using var filled = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        _time.Advance(TimeSpan.FromHours(24) + TimeSpan.FromMinutes(5)); // Within the hour of stale-while-revalidate.

        using var stale = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        await _tmdb.WaitForAsync(Tmdb.MoviePath, 2);
        var fresh = await Eventually(proxy, response => response.XCache() == "HIT");

        Assert.Equal("STALE", stale.XCache());
        var revalidation = _tmdb.Received(Tmdb.MoviePath)[1].RequestMessage;
        Assert.Equal(ETag, revalidation.Headers!["If-None-Match"].Single());
        Assert.Equal(0, fresh.AgeSeconds());
        Assert.Equal(await filled.BodyAsync(), await fresh.BodyAsync());
        Assert.Equal("max-age=300", fresh.Headers.CacheControl?.ToString()); // The 304's headers replace the stored ones.
        Assert.Equal(1, PrometheusText.Value(
            await proxy.Client.GetStringAsync("/metrics"), "enrichproxy_cache_revalidations_total", ("route", "tmdb-movie"), ("result", "not_modified")));
    }

    [Fact]
    public async Task AFillPastEveryWindow_RevalidatesToo_AndSaysSoInCacheStatus()
    {
        await using var proxy = await StartAsync(Settings(
            Destination("tmdb", _tmdb.Url),
            Policy("tmdb-movie", "Ttl", TimeSpan.FromMilliseconds(200)),
            Policy("tmdb-movie", "StaleWhileRevalidate", TimeSpan.Zero),
            Policy("tmdb-movie", "StaleIfError", TimeSpan.FromHours(1))));
        using var filled = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        await Task.Delay(400); // Past the TTL in FusionCache's own clock too: the next request fills, with the stale entry at hand.

        using var revalidated = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);

        Assert.Equal("MISS", revalidated.XCache());
        Assert.StartsWith("EnrichProxy; fwd=stale; fwd-status=304; stored", revalidated.CacheStatus(), StringComparison.Ordinal);
        Assert.Equal(await filled.BodyAsync(), await revalidated.BodyAsync());
        Assert.Equal(2, _tmdb.Received(Tmdb.MoviePath).Count);
    }

    public void Dispose() => _tmdb.Dispose();

    private static Dictionary<string, WireMockList<string>> Headers(params (string Name, string Value)[] headers) =>
        headers.ToDictionary(header => header.Name, header => new WireMockList<string>(header.Value));

    private static async Task<HttpResponseMessage> Eventually(ProxyHost proxy, Func<HttpResponseMessage, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var response = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
            if (done(response) || DateTime.UtcNow > deadline)
            {
                return response;
            }

            response.Dispose();
            await Task.Delay(50);
        }
    }
}

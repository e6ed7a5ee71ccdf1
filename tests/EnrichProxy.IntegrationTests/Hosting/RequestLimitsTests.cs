using System.Net;
using EnrichProxy.IntegrationTests.Fixtures;
using EnrichProxy.IntegrationTests.Infrastructure;
using static EnrichProxy.IntegrationTests.Infrastructure.ProxyHost;

namespace EnrichProxy.IntegrationTests.Hosting;

/// <summary>Absurd request targets and headers are refused before they reach a route, a cache key or an upstream.</summary>
public sealed class RequestLimitsTests : IDisposable
{
    private readonly FakeUpstream _tmdb = new();

    [Fact]
    public async Task TooManyQueryParameters_Get414_AndNeverReachTheUpstream()
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie());
        await using var proxy = await StartAsync(Settings(Destination("tmdb", _tmdb.Url)));

        using var many = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath + "?" + string.Join('&', Enumerable.Range(0, 600).Select(i => $"p{i}=1")));
        using var empties = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath + "?" + new string('&', 3000));
        using var fine = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath + "?" + string.Join('&', Enumerable.Range(0, 300).Select(i => $"p{i}=1")));

        Assert.Equal(HttpStatusCode.RequestUriTooLong, many.StatusCode);
        Assert.Equal("application/problem+json", many.Content.Headers.ContentType?.MediaType);
        Assert.Contains("at most 512 query parameters", await many.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.RequestUriTooLong, empties.StatusCode);
        Assert.Equal(HttpStatusCode.OK, fine.StatusCode);
        Assert.Single(_tmdb.Received(Tmdb.MoviePath));
    }

    [Fact]
    public async Task AnOverlongTargetOrHeader_IsRefusedByTheServer_AndTheProxyStillAnswers()
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie());
        await using var proxy = await StartAsync(Settings(Destination("tmdb", _tmdb.Url)));

        using var longTarget = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath + "?q=" + new string('x', 9000));
        using var request = new HttpRequestMessage(HttpMethod.Get, Tmdb.ProxyMoviePath);
        request.Headers.Add("Accept-Language", new string('x', 40 * 1024));
        using var longHeader = await proxy.Client.SendAsync(request);
        using var after = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);

        Assert.Equal(HttpStatusCode.RequestUriTooLong, longTarget.StatusCode);
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, longHeader.StatusCode);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Single(_tmdb.Received(Tmdb.MoviePath));
    }

    public void Dispose() => _tmdb.Dispose();
}

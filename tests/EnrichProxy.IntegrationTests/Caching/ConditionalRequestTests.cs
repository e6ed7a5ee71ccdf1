using System.Net;
using System.Net.Http.Headers;
using EnrichProxy.IntegrationTests.Fixtures;
using EnrichProxy.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using static EnrichProxy.IntegrationTests.Infrastructure.ProxyHost;

namespace EnrichProxy.IntegrationTests.Caching;

/// <summary>
/// A client's conditional requests (RFC 9110 section 13) answered from the stored answer's validators, from
/// fresh, stale and just-filled entries alike, and on the fast path as on the full one.
/// </summary>
public sealed class ConditionalRequestTests : IDisposable
{
    private const string ETag = "\"movie-603-v1\"";
    private const string LastModified = "Mon, 23 Nov 2026 10:00:00 GMT";
    private readonly FakeUpstream _tmdb = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

    public ConditionalRequestTests() =>
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie(), headers: [("ETag", ETag), ("Last-Modified", LastModified), ("Cache-Control", "max-age=60")]);

    [Theory]
    [InlineData(ETag)]
    [InlineData("W/" + ETag)] // Weak comparison: a weak tag matches the strong one.
    [InlineData("\"other\", " + ETag)]
    [InlineData("*")]
    public async Task IfNoneMatch_ThatMatchesTheStoredETag_Gets304WithTheValidatorsAndNoBody(string ifNoneMatch)
    {
        await using var proxy = await StartAsync(Settings());
        using var filled = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);

        using var revalidated = await SendAsync(proxy, ("If-None-Match", ifNoneMatch));

        Assert.Equal(HttpStatusCode.NotModified, revalidated.StatusCode);
        Assert.Empty(await revalidated.Content.ReadAsByteArrayAsync());
        Assert.Equal(ETag, revalidated.Headers.ETag?.ToString());
        Assert.Equal("max-age=60", revalidated.Headers.CacheControl?.ToString());
        Assert.Equal(DateTimeOffset.Parse(LastModified, System.Globalization.CultureInfo.InvariantCulture), revalidated.Content.Headers.LastModified);
        Assert.Null(revalidated.Content.Headers.ContentType); // Nothing that describes a body it does not get.
        Assert.Equal("HIT", revalidated.XCache());
        Assert.StartsWith("EnrichProxy; hit; ttl=", revalidated.CacheStatus(), StringComparison.Ordinal);
        Assert.Single(_tmdb.Received(Tmdb.MoviePath));
    }

    [Fact]
    public async Task IfNoneMatch_ThatDoesNotMatch_GetsTheWholeAnswer()
    {
        await using var proxy = await StartAsync(Settings());
        using var filled = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);

        using var changed = await SendAsync(proxy, ("If-None-Match", "\"movie-603-v0\", W/\"other\""));

        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal(await filled.BodyAsync(), await changed.BodyAsync());
    }

    [Fact]
    public async Task IfModifiedSince_IsAnsweredByTheStoredLastModified_AndIgnoredBesideIfNoneMatch()
    {
        await using var proxy = await StartAsync(Settings());
        using var filled = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);

        using var same = await SendAsync(proxy, ("If-Modified-Since", LastModified));
        using var later = await SendAsync(proxy, ("If-Modified-Since", "Tue, 24 Nov 2026 10:00:00 GMT"));
        using var earlier = await SendAsync(proxy, ("If-Modified-Since", "Sun, 22 Nov 2026 10:00:00 GMT"));
        using var notADate = await SendAsync(proxy, ("If-Modified-Since", "yesterday"));
        using var withEtag = await SendAsync(proxy, ("If-None-Match", "\"other\""), ("If-Modified-Since", LastModified));

        Assert.Equal(HttpStatusCode.NotModified, same.StatusCode);
        Assert.Equal(HttpStatusCode.NotModified, later.StatusCode);
        Assert.Equal(HttpStatusCode.OK, earlier.StatusCode);
        Assert.Equal(HttpStatusCode.OK, notADate.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withEtag.StatusCode); // RFC 9110 13.1.3: If-None-Match wins.
    }

    [Fact]
    public async Task AConditionalMiss_IsFilledOnceAndAnswered304()
    {
        await using var proxy = await StartAsync(Settings());

        using var first = await SendAsync(proxy, ("If-None-Match", ETag));
        using var second = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);

        Assert.Equal(HttpStatusCode.NotModified, first.StatusCode);
        Assert.Equal("MISS", first.XCache());
        Assert.Equal("EnrichProxy; fwd=uri-miss; fwd-status=200; stored; ttl=86400", first.CacheStatus());
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("HIT", second.XCache());
        // The client's condition is the proxy's to answer: the fill asked for the whole answer, to store it.
        var received = Assert.Single(_tmdb.Received(Tmdb.MoviePath));
        Assert.False(received.RequestMessage.Headers!.ContainsKey("If-None-Match"));
    }

    [Fact]
    public async Task AStaleEntry_AnswersConditionalRequestsToo()
    {
        await using var proxy = await StartAsync(Settings(), _time);
        using var filled = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        _time.Advance(TimeSpan.FromHours(24) + TimeSpan.FromMinutes(10)); // Within the hour of stale-while-revalidate.

        using var stale = await SendAsync(proxy, ("If-None-Match", ETag));

        Assert.Equal(HttpStatusCode.NotModified, stale.StatusCode);
        Assert.Equal("STALE", stale.XCache());
        Assert.Equal("EnrichProxy; hit; ttl=-600; detail=stale-while-revalidate", stale.CacheStatus());
    }

    [Fact]
    public async Task TheFastPath_AnswersConditionalRequestsAsTheFullPipelineDoes()
    {
        await using var proxy = await StartAsync(Settings());
        for (var i = 0; i < 3; i++)
        {
            using var warm = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath); // Remembered by the fast path from the second hit.
        }

        var fastPath = proxy.Services.GetRequiredService<global::EnrichProxy.Caching.HotTargets>();
        Assert.True(fastPath.TryGet(Tmdb.ProxyMoviePath, out _));
        using var notModified = await SendAsync(proxy, ("If-None-Match", ETag));
        using var range = await SendAsync(proxy, ("Range", "bytes=0-9"));

        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(HttpStatusCode.PartialContent, range.StatusCode);
        Assert.Equal("{\n  \"adult", await range.BodyAsync());
    }

    [Fact]
    public async Task IfMatchAndIfUnmodifiedSince_ThatFail_Get412AndThoseThatHold_TheAnswer()
    {
        await using var proxy = await StartAsync(Settings());
        using var filled = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);

        using var ifMatchFails = await SendAsync(proxy, ("If-Match", "\"movie-603-v0\""));
        using var weakIfMatch = await SendAsync(proxy, ("If-Match", "W/" + ETag)); // If-Match compares strongly.
        using var ifMatchHolds = await SendAsync(proxy, ("If-Match", ETag));
        using var unmodifiedFails = await SendAsync(proxy, ("If-Unmodified-Since", "Sun, 22 Nov 2026 10:00:00 GMT"));
        using var unmodifiedHolds = await SendAsync(proxy, ("If-Unmodified-Since", LastModified));

        Assert.Equal(HttpStatusCode.PreconditionFailed, ifMatchFails.StatusCode);
        Assert.Equal("application/problem+json", ifMatchFails.Content.Headers.ContentType?.MediaType);
        Assert.Contains("If-Match", await ifMatchFails.BodyAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.PreconditionFailed, weakIfMatch.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ifMatchHolds.StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, unmodifiedFails.StatusCode);
        Assert.Equal(HttpStatusCode.OK, unmodifiedHolds.StatusCode);
        Assert.Single(_tmdb.Received(Tmdb.MoviePath));
    }

    [Fact]
    public async Task AStoredNotFound_HasNoPreconditions()
    {
        _tmdb.Json("/3/movie/999999", Tmdb.NotFound, status: 404, headers: [("ETag", ETag)]);
        await using var proxy = await StartAsync(Settings());
        using var filled = await proxy.Client.GetAsync("/tmdb/3/movie/999999");

        using var request = new HttpRequestMessage(HttpMethod.Get, "/tmdb/3/movie/999999");
        request.Headers.TryAddWithoutValidation("If-None-Match", "*");
        using var conditional = await proxy.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, conditional.StatusCode); // RFC 9110 13.2.1: only what would be a 2xx.
        Assert.Equal("HIT", conditional.XCache());
    }

    [Fact]
    public async Task Curl_RevalidatesWithItsOwnConditionalRequest()
    {
        await using var proxy = await StartAsync(Settings());
        using var filled = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);

        var status = await Curl.RunAsync("-s", "-o", "/dev/null", "-w", "%{http_code} %{size_download}", "-H", "If-None-Match: " + ETag,
            new Uri(proxy.Client.BaseAddress!, Tmdb.ProxyMoviePath).ToString());

        Assert.Equal("304 0", status);
    }

    public void Dispose() => _tmdb.Dispose();

    private static async Task<HttpResponseMessage> SendAsync(ProxyHost proxy, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Tmdb.ProxyMoviePath);
        foreach (var (name, value) in headers)
        {
            Assert.True(request.Headers.TryAddWithoutValidation(name, value));
        }

        return await proxy.Client.SendAsync(request);
    }

    private Dictionary<string, string> Settings() => ProxyHost.Settings(Destination("tmdb", _tmdb.Url));
}

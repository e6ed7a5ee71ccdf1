using System.Net;
using EnrichProxy.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using static EnrichProxy.IntegrationTests.Infrastructure.ProxyHost;

namespace EnrichProxy.IntegrationTests.Caching;

/// <summary>
/// The shipped image policy (<c>image-files</c>, <c>Freshness: Origin</c>): the image CDN's own headers decide, within the
/// policy's 30 days fresh, a day of stale-while-revalidate and a year of stale-if-error.
/// </summary>
public sealed class OriginFreshnessTests : IDisposable
{
    private const string ImagePath = "/t/p/w500/poster.jpg";
    private const string ProxyImagePath = "/tmdb-images" + ImagePath;
    private static readonly byte[] Image = [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 4];
    private readonly FakeUpstream _images = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task MaxAge_DecidesHowLongAHitLasts_ThenThePolicysStaleWhileRevalidate()
    {
        _images.Bytes(ImagePath, Image, "image/jpeg", ("Cache-Control", "public, max-age=60"));
        await using var proxy = await StartAsync(Settings(), _time);

        using var miss = await proxy.Client.GetAsync(ProxyImagePath);
        _time.Advance(TimeSpan.FromSeconds(59));
        using var hit = await proxy.Client.GetAsync(ProxyImagePath);
        _time.Advance(TimeSpan.FromSeconds(2));
        using var stale = await proxy.Client.GetAsync(ProxyImagePath);

        Assert.Equal("EnrichProxy; fwd=uri-miss; fwd-status=200; stored; ttl=60", miss.CacheStatus());
        Assert.Equal("HIT", hit.XCache());
        Assert.Equal(59, hit.AgeSeconds());
        Assert.Equal("EnrichProxy; hit; ttl=1", hit.CacheStatus());
        Assert.Equal("STALE", stale.XCache()); // The origin said nothing of stale answers: the policy's day applies.
        Assert.Equal("EnrichProxy; hit; ttl=-1; detail=stale-while-revalidate", stale.CacheStatus());
    }

    [Fact]
    public async Task TheAgeAnAnswerArrivesWith_CountsAgainstItsLifetime()
    {
        _images.Bytes(ImagePath, Image, "image/jpeg", ("Cache-Control", "max-age=60"), ("Age", "30"));
        await using var proxy = await StartAsync(Settings(), _time);

        using var miss = await proxy.Client.GetAsync(ProxyImagePath);
        _time.Advance(TimeSpan.FromSeconds(31));
        using var later = await proxy.Client.GetAsync(ProxyImagePath);

        Assert.Equal(30, miss.AgeSeconds());
        Assert.Equal("EnrichProxy; fwd=uri-miss; fwd-status=200; stored; ttl=30", miss.CacheStatus());
        Assert.Equal("STALE", later.XCache());
        Assert.Equal(61, later.AgeSeconds());
    }

    [Theory]
    [InlineData("30, 0", 30)] // The first member (RFC 9111 5.1).
    [InlineData("abc", 0)] // Not a non-negative integer: ignored.
    [InlineData("-5", 0)]
    public async Task TheAgeHeader_IsReadAsRfc9111Says(string age, int expected)
    {
        _images.Bytes(ImagePath, Image, "image/jpeg", ("Cache-Control", "max-age=60"), ("Age", age));
        await using var proxy = await StartAsync(Settings(), _time);

        using var miss = await proxy.Client.GetAsync(ProxyImagePath);

        Assert.Equal(expected, miss.AgeSeconds());
    }

    [Fact]
    public async Task HeadersTheUpstreamListsInConnection_AreNeverStoredOrReplayed()
    {
        // Raw bytes: WireMock's server writes its own Connection header.
        await using var upstream = new RawHttpUpstream(
            200, [("Content-Type", "image/jpeg"), ("Cache-Control", "max-age=60"), ("Connection", "X-Per-Hop"), ("X-Per-Hop", "1"), ("X-Kept", "1")], Image);
        await using var proxy = await StartAsync(ProxyHost.Settings(Destination("tmdb-images", upstream.Url)), _time);

        using var miss = await proxy.Client.GetAsync(ProxyImagePath);
        using var hit = await proxy.Client.GetAsync(ProxyImagePath);

        Assert.Equal("HIT", hit.XCache());
        Assert.False(hit.Headers.Contains("X-Per-Hop"));
        Assert.True(hit.Headers.Contains("X-Kept"));
    }

    [Fact]
    public async Task AYearLongMaxAge_IsBoundedByThePolicysTtl()
    {
        _images.Bytes(ImagePath, Image, "image/jpeg", ("Cache-Control", "max-age=31536000"));
        await using var proxy = await StartAsync(Settings(), _time);

        using var miss = await proxy.Client.GetAsync(ProxyImagePath);

        Assert.Equal("EnrichProxy; fwd=uri-miss; fwd-status=200; stored; ttl=2592000", miss.CacheStatus());
    }

    [Theory]
    [InlineData("Cache-Control", "no-store")]
    [InlineData("Cache-Control", "private, max-age=600")]
    [InlineData("Vary", "Cookie")] // A credential: fills never send it, so the origin cannot have chosen by it.
    [InlineData("Vary", "*")]
    public async Task AnswersForTheRequesterOnly_AreNotShared(string name, string value)
    {
        _images.Bytes(ImagePath, Image, "image/jpeg", (name, value));
        await using var proxy = await StartAsync(Settings(), _time);

        using var first = await proxy.Client.GetAsync(ProxyImagePath);
        using var second = await proxy.Client.GetAsync(ProxyImagePath);

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.NotEqual("HIT", second.XCache());
        Assert.Equal(2, _images.Received(ImagePath).Count);
    }

    [Fact]
    public async Task ATargetedField_DecidesForThisCache_WhateverCacheControlTellsBrowsers()
    {
        _images.Bytes(ImagePath, Image, "image/jpeg", ("Cache-Control", "no-store"), ("CDN-Cache-Control", "max-age=600"));
        await using var proxy = await StartAsync(Settings(), _time);

        using var miss = await proxy.Client.GetAsync(ProxyImagePath);
        using var hit = await proxy.Client.GetAsync(ProxyImagePath);

        Assert.Equal("HIT", hit.XCache());
        Assert.Equal("EnrichProxy; hit; ttl=600", hit.CacheStatus());
        Assert.Equal("no-store", hit.Headers.CacheControl?.ToString()); // Replayed for the browsers it speaks to.
    }

    [Theory]
    [InlineData("max-age=1, must-revalidate", HttpStatusCode.GatewayTimeout, "MISS")]
    [InlineData("max-age=1", HttpStatusCode.OK, "STALE")]
    public async Task MustRevalidate_IsNeverAnsweredStale_WhenTheUpstreamFails(string cacheControl, HttpStatusCode expected, string xCache)
    {
        _images.Bytes(ImagePath, Image, "image/jpeg", ("Cache-Control", cacheControl));
        // The real clock: FusionCache keeps the entry for the second the origin gave, by its own.
        await using var proxy = await StartAsync(Settings(("EnrichProxy:Upstreams:tmdb-images:Retry:MaxRetries", "0")));
        using var filled = await proxy.Client.GetAsync(ProxyImagePath);
        _images.Server.Reset();
        _images.Server.Given(Request.Create().WithPath(ImagePath)).RespondWith(Response.Create().WithStatusCode(503));
        await Task.Delay(1500);

        using var failing = await proxy.Client.GetAsync(ProxyImagePath);

        Assert.Equal(expected, failing.StatusCode);
        Assert.Equal(xCache, failing.XCache());
    }

    [Fact]
    public async Task NoCache_IsStoredAndRevalidatedBeforeEveryUse()
    {
        _images.Server.Given(Request.Create().WithPath(ImagePath).WithHeader("If-None-Match", "\"img-1\"")).AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(304).WithHeader("ETag", "\"img-1\""));
        _images.Server.Given(Request.Create().WithPath(ImagePath)).AtPriority(2)
            .RespondWith(Response.Create().WithHeader("Content-Type", "image/jpeg").WithHeader("Cache-Control", "no-cache").WithHeader("ETag", "\"img-1\"").WithBody(Image));
        await using var proxy = await StartAsync(Settings());

        using var first = await proxy.Client.GetAsync(ProxyImagePath);
        await Task.Delay(50);
        using var second = await proxy.Client.GetAsync(ProxyImagePath);

        Assert.Equal(Image, await second.Content.ReadAsByteArrayAsync());
        Assert.StartsWith("EnrichProxy; fwd=stale; fwd-status=304; stored", second.CacheStatus(), StringComparison.Ordinal);
        var requests = _images.Received(ImagePath);
        Assert.Equal(2, requests.Count);
        Assert.Equal("\"img-1\"", requests[1].RequestMessage.Headers!["If-None-Match"].Single());
    }

    [Fact]
    public async Task VaryAccept_KeepsOneEntryPerVariant_UnderKeysThatIgnoreSpellingOnly()
    {
        NegotiatingOrigin();
        await using var proxy = await StartAsync(Settings(), _time);

        using var webp = await GetAsync(proxy, "image/webp,image/*;q=0.8");
        using var jpeg = await GetAsync(proxy, "image/jpeg");
        using var webpAgain = await GetAsync(proxy, "IMAGE/WEBP, image/*; q=0.8");
        using var jpegAgain = await GetAsync(proxy, "image/jpeg");

        Assert.Equal("webp", await webp.BodyAsync());
        Assert.Equal("jpeg", await jpeg.BodyAsync());
        Assert.Equal(["MISS", "MISS", "HIT", "HIT"], new[] { webp, jpeg, webpAgain, jpegAgain }.Select(r => r.XCache()));
        Assert.Equal("webp", await webpAgain.BodyAsync());
        Assert.Equal("jpeg", await jpegAgain.BodyAsync());
        Assert.Equal("Accept", webpAgain.Headers.Vary.Single());
        var received = _images.Received(ImagePath);
        Assert.Equal(2, received.Count); // The fills sent the client's Accept, so the origin chose each variant itself.
        Assert.Equal("image/webp,image/*;q=0.8", received[0].RequestMessage.Headers!["Accept"].Single());
    }

    [Fact]
    public async Task ConcurrentClientsOfTwoVariants_EachGetTheirOwn()
    {
        NegotiatingOrigin(TimeSpan.FromMilliseconds(300));
        await using var proxy = await StartAsync(Settings(), _time);

        var requests = Enumerable.Range(0, 12).Select(i => (Accept: i % 2 == 0 ? "image/webp" : "image/jpeg", Response: GetAsync(proxy, i % 2 == 0 ? "image/webp" : "image/jpeg"))).ToList();
        await Task.WhenAll(requests.Select(r => r.Response));

        foreach (var (accept, response) in requests)
        {
            using var answer = await response;
            Assert.Equal(accept[6..], await answer.BodyAsync());
        }

        Assert.InRange(_images.Received(ImagePath).Count, 2, 3); // One fill per variant (and the first, whichever it was).
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AFill_SendsTheHeadersThePolicyForwards_NeverWhatTheCacheAnswersItself(bool everyHeader)
    {
        _images.Bytes(ImagePath, Image, "image/jpeg", ("Cache-Control", "max-age=60"));
        await using var proxy = await StartAsync(
            everyHeader ? Settings(("EnrichProxy:Policies:image-files:ForwardedRequestHeaders:0", "*")) : Settings(), _time);

        using var request = new HttpRequestMessage(HttpMethod.Get, ProxyImagePath);
        foreach (var (name, value) in new[] { ("Accept", "image/webp"), ("X-Forwarded-Scheme", "http"), ("If-None-Match", "\"x\""), ("Range", "bytes=0-1"), ("Cache-Control", "no-cache") })
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await proxy.Client.SendAsync(request);

        var sent = Assert.Single(_images.Received(ImagePath)).RequestMessage.Headers!;
        Assert.Equal("image/webp", sent["Accept"].Single());
        // A header the origin may react to without naming it in Vary reaches it only when the operator says so ("*").
        Assert.Equal(everyHeader, sent.ContainsKey("X-Forwarded-Scheme"));
        Assert.False(sent.ContainsKey("If-None-Match"));
        Assert.False(sent.ContainsKey("Range"));
        Assert.False(sent.ContainsKey("Cache-Control"));
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode); // The range is the cache's to cut.
    }

    [Fact]
    public async Task ARefreshThatFindsTheAnswersVaryNow_KeepsEachVariantApart()
    {
        var served = 0;
        _images.Server.Given(Request.Create().WithPath(ImagePath)).RespondWith(Response.Create().WithCallback(request =>
        {
            // The origin starts negotiating after its first answer (a CDN that turned WebP on).
            var negotiates = Interlocked.Increment(ref served) > 1;
            var format = negotiates && Accepts(request, "webp") ? "webp" : "jpeg";
            var headers = new Dictionary<string, WireMock.Types.WireMockList<string>>
            {
                ["Content-Type"] = new("image/" + format),
                ["Cache-Control"] = new("max-age=60"),
            };
            if (negotiates)
            {
                headers["Vary"] = new("Accept");
            }

            return new WireMock.ResponseMessage
            {
                StatusCode = 200,
                Headers = headers,
                BodyData = new WireMock.Util.BodyData { BodyAsString = format, DetectedBodyType = WireMock.Types.BodyType.String },
            };
        }));
        await using var proxy = await StartAsync(Settings(), _time);
        using var first = await GetAsync(proxy, "image/jpeg");
        _time.Advance(TimeSpan.FromSeconds(61)); // Within the policy's day of stale-while-revalidate.

        using var stale = await GetAsync(proxy, "image/webp"); // Answered stale; its request is the one the refresh replays.
        await _images.WaitForAsync(ImagePath, 2);
        await Task.Delay(200); // The refresh stores after the origin answers.
        using var jpeg = await GetAsync(proxy, "image/jpeg");
        using var webp = await GetAsync(proxy, "image/webp");

        Assert.Equal("STALE", stale.XCache());
        Assert.Equal("jpeg", await jpeg.BodyAsync()); // Not the WebP the refresh fetched for another client.
        Assert.Equal("webp", await webp.BodyAsync());
    }

    public void Dispose() => _images.Dispose();

    private void NegotiatingOrigin(TimeSpan? delay = null)
    {
        var response = Response.Create().WithCallback(request => new WireMock.ResponseMessage
        {
            StatusCode = 200,
            Headers = new Dictionary<string, WireMock.Types.WireMockList<string>>
            {
                ["Content-Type"] = new("image/" + (Accepts(request, "webp") ? "webp" : "jpeg")),
                ["Cache-Control"] = new("max-age=3600"),
                ["Vary"] = new("Accept"),
            },
            BodyData = new WireMock.Util.BodyData
            {
                BodyAsString = Accepts(request, "webp") ? "webp" : "jpeg",
                DetectedBodyType = WireMock.Types.BodyType.String,
            },
        });
        _images.Server.Given(Request.Create().WithPath(ImagePath)).RespondWith(delay is { } wait ? response.WithDelay(wait) : response);
    }

    private static bool Accepts(WireMock.IRequestMessage request, string format) =>
        request.Headers?.TryGetValue("Accept", out var accept) == true && accept.Any(value => value.Contains(format, StringComparison.OrdinalIgnoreCase));

    private static async Task<HttpResponseMessage> GetAsync(ProxyHost proxy, string accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, ProxyImagePath);
        request.Headers.TryAddWithoutValidation("Accept", accept);
        return await proxy.Client.SendAsync(request);
    }

    private Dictionary<string, string> Settings(params (string Key, string Value)[] extra) =>
        ProxyHost.Settings([Destination("tmdb-images", _images.Url), .. extra]);
}

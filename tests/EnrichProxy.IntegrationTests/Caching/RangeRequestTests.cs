using System.Net;
using System.Net.Http.Headers;
using EnrichProxy.IntegrationTests.Infrastructure;
using static EnrichProxy.IntegrationTests.Infrastructure.ProxyHost;

namespace EnrichProxy.IntegrationTests.Caching;

/// <summary>Range requests (RFC 9110 section 14) answered from the whole stored answer, never forwarded past the cache.</summary>
public sealed class RangeRequestTests : IDisposable
{
    private const string ImagePath = "/t/p/w500/poster.jpg";
    private const string ProxyImagePath = "/tmdb-images" + ImagePath;
    private const string ETag = "\"poster-v1\"";
    private static readonly byte[] Image = [.. Enumerable.Range(0, 1000).Select(i => (byte)(i % 251))];
    private readonly FakeUpstream _images = new();

    public RangeRequestTests() =>
        _images.Bytes(ImagePath, Image, "image/jpeg", ("ETag", ETag), ("Last-Modified", "Mon, 23 Nov 2026 10:00:00 GMT"));

    [Theory]
    [InlineData("bytes=0-9", 0, 10)]
    [InlineData("bytes=990-", 990, 10)]
    [InlineData("bytes=-5", 995, 5)]
    [InlineData("bytes=500-99999", 500, 500)]
    [InlineData("bytes=-5000", 0, 1000)]
    public async Task OneRange_IsAnswered206FromTheStoredBody(string range, int start, int length)
    {
        await using var proxy = await StartAsync(Settings());

        using var first = await GetAsync(proxy, ("Range", range));
        using var second = await GetAsync(proxy, ("Range", range));

        foreach (var response in new[] { first, second })
        {
            Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
            Assert.Equal($"bytes {start}-{start + length - 1}/1000", response.Content.Headers.ContentRange?.ToString());
            Assert.Equal(length, response.Content.Headers.ContentLength);
            Assert.Equal(Image.AsSpan(start, length).ToArray(), await response.Content.ReadAsByteArrayAsync());
            Assert.Equal("image/jpeg", response.Content.Headers.ContentType?.MediaType);
        }

        Assert.Equal("MISS", first.XCache());
        Assert.Equal("HIT", second.XCache());
        // One upstream request, for the whole image: the range is the cache's to cut.
        var received = Assert.Single(_images.Received(ImagePath));
        Assert.False(received.RequestMessage.Headers!.ContainsKey("Range"));
    }

    [Fact]
    public async Task ARangeOutsideTheBody_Gets416WithTheLength()
    {
        await using var proxy = await StartAsync(Settings());

        using var outside = await GetAsync(proxy, ("Range", "bytes=1000-"));

        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, outside.StatusCode);
        Assert.Equal("bytes */1000", outside.Content.Headers.ContentRange?.ToString());
        Assert.Equal("application/problem+json", outside.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("bytes=0-9, 20-29")] // Several ranges: the whole answer, as RFC 9110 14.2 allows.
    [InlineData("lines=0-9")]
    [InlineData("bytes=oops")]
    public async Task RangesTheCacheDoesNotCut_GetTheWholeAnswer(string range)
    {
        await using var proxy = await StartAsync(Settings());

        using var response = await GetAsync(proxy, ("Range", range));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Image, await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData(ETag, HttpStatusCode.PartialContent)]
    [InlineData("Mon, 23 Nov 2026 10:00:00 GMT", HttpStatusCode.PartialContent)]
    [InlineData("\"poster-v0\"", HttpStatusCode.OK)]
    [InlineData("W/" + ETag, HttpStatusCode.OK)] // If-Range compares strongly.
    [InlineData("Tue, 24 Nov 2026 10:00:00 GMT", HttpStatusCode.OK)] // Only the exact date.
    public async Task IfRange_AppliesTheRangeOnlyToTheRepresentationItNames(string ifRange, HttpStatusCode expected)
    {
        await using var proxy = await StartAsync(Settings());

        using var response = await GetAsync(proxy, ("Range", "bytes=0-9"), ("If-Range", ifRange));

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(expected == HttpStatusCode.OK ? 1000 : 10, (await response.Content.ReadAsByteArrayAsync()).Length);
    }

    [Fact]
    public async Task HeadWithARange_GetsTheWholeAnswersHeaders()
    {
        await using var proxy = await StartAsync(Settings());

        using var request = new HttpRequestMessage(HttpMethod.Head, ProxyImagePath);
        request.Headers.Range = new RangeHeaderValue(0, 9);
        using var head = await proxy.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(1000, head.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task Curl_ReadsARangeFromTheCache()
    {
        await using var proxy = await StartAsync(Settings());
        using var filled = await GetAsync(proxy);

        var output = await Curl.RunAsync("-s", "-r", "100-199", "-o", "/dev/null", "-w", "%{http_code} %{size_download}",
            new Uri(proxy.Client.BaseAddress!, ProxyImagePath).ToString());

        Assert.Equal("206 100", output);
        Assert.Single(_images.Received(ImagePath));
    }

    public void Dispose() => _images.Dispose();

    private static async Task<HttpResponseMessage> GetAsync(ProxyHost proxy, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, ProxyImagePath);
        foreach (var (name, value) in headers)
        {
            Assert.True(request.Headers.TryAddWithoutValidation(name, value));
        }

        return await proxy.Client.SendAsync(request);
    }

    private Dictionary<string, string> Settings() => ProxyHost.Settings(Destination("tmdb-images", _images.Url));
}

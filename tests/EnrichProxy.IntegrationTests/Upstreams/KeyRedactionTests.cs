using System.IO.Compression;
using System.Net;
using System.Text;
using EnrichProxy.IntegrationTests.Infrastructure;
using static EnrichProxy.IntegrationTests.Infrastructure.ProxyHost;

namespace EnrichProxy.IntegrationTests.Upstreams;

/// <summary>The key the proxy injects never comes back in a forwarded answer: compressed, large, or a 2xx.</summary>
public sealed class KeyRedactionTests : IDisposable
{
    private const string FanartKey = "fanart-proxy-secret-77d0e1c4a9";
    private const string RadarrKey = "radarr-instance-secret-3c9f0b2e";
    private const string InboundKey = "proxy-inbound-key-0123456789";

    // Fanart.tv's images API is cached (a fill fetches it); the rest of the host is forwarded as it is.
    private const string CachedPath = "/fanart/v3/movies/2";
    private const string ForwardedPath = "/fanart/webservice/2";
    private readonly FakeUpstream _fanart = new();
    private readonly FakeUpstream _radarr = new();

    [Fact]
    public async Task ErrorBody_AsksForPlainAnswersAndComesBackRedacted()
    {
        _fanart.Json("/v3/movies/1", $$"""{"error":"bad request /v3/movies/1?api_key={{FanartKey}}"}""", status: 400);
        await using var proxy = await StartAsync(FanartSettings());
        using var client = GzipClient(proxy);

        using var response = await client.GetAsync("/fanart/v3/movies/1");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(FanartKey, body, StringComparison.Ordinal);
        Assert.Contains("[REDACTED]", body, StringComparison.Ordinal);
        var sent = Assert.Single(_fanart.Received("/v3/movies/1"));
        Assert.False(sent.RequestMessage.Headers!.ContainsKey("Accept-Encoding"), "the upstream was asked for a compressed answer");
    }

    [Theory]
    [InlineData("gzip", CachedPath)]
    [InlineData("br", CachedPath)]
    [InlineData("deflate", CachedPath)]
    [InlineData("gzip", ForwardedPath)]
    [InlineData("br", ForwardedPath)]
    [InlineData("deflate", ForwardedPath)]
    public async Task CompressedErrorBody_SentAnyway_IsDecodedAndRedacted(string encoding, string path)
    {
        // An upstream that compresses though it was not asked to.
        var plain = $$"""{"error":"bad request /v3/movies/2?api_key={{FanartKey}}"}""";
        await using var fanart = new RawHttpUpstream(400, [("Content-Type", "application/json"), ("Content-Encoding", encoding)], Compress(plain, encoding));
        await using var proxy = await StartAsync(FanartSettings(fanart.Url));
        using var client = GzipClient(proxy);

        using var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(response.Content.Headers.ContentEncoding);
        Assert.DoesNotContain(FanartKey, body, StringComparison.Ordinal);
        Assert.Contains("bad request /v3/movies/2?api_key=[REDACTED]", body, StringComparison.Ordinal);
        Assert.Equal(path == CachedPath ? "MISS" : "(none)", response.XCache());
        Assert.DoesNotContain("Accept-Encoding", Assert.Single(fanart.Requests), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(CachedPath)]
    [InlineData(ForwardedPath)]
    public async Task BodyInAnEncodingTheProxyCannotRead_IsRefused(string path)
    {
        await using var fanart = new RawHttpUpstream(400, [("Content-Encoding", "zstd")], Encoding.UTF8.GetBytes("opaque " + FanartKey));
        await using var proxy = await StartAsync(FanartSettings(fanart.Url));

        using var response = await proxy.Client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain(FanartKey, body, StringComparison.Ordinal);
        Assert.Empty(response.Content.Headers.ContentEncoding);
    }

    [Fact]
    public async Task LargeErrorBody_IsRedactedToItsEnd()
    {
        // Larger than any buffer: the key at the very end, and once across where reads are likely to split.
        var filler = new string('x', 200_000);
        _fanart.Json("/v3/movies/4", $$"""{"padding":"{{filler}}","echo":"{{FanartKey}}","more":"{{filler}}","last":"{{FanartKey}}"}""", status: 502);
        await using var proxy = await StartAsync(FanartSettings());

        using var response = await proxy.Client.GetAsync("/fanart/v3/movies/4");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.DoesNotContain(FanartKey, body, StringComparison.Ordinal);
        Assert.Equal(2, CountOf(body, "[REDACTED]"));
        Assert.EndsWith("\"}", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ArrHostConfig_ReadWithTheInboundKey_DoesNotGiveAwayTheInstanceKey()
    {
        // Radarr and Sonarr answer /api/v3/config/host with their own key; a client holding only the proxy's inbound key
        // must not learn it.
        _radarr.Json("/api/v3/config/host", $$"""{"bindAddress":"*","port":7878,"apiKey":"{{RadarrKey}}","authenticationMethod":"forms"}""");
        await using var proxy = await StartAsync(Settings(
            Destination("radarr", _radarr.Url),
            ("EnrichProxy:Upstreams:radarr:ApiKey", RadarrKey),
            ("EnrichProxy:InboundApiKey", InboundKey)));
        using var response = await proxy.GetWithApiKeyAsync("/radarr/api/v3/config/host", InboundKey);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(RadarrKey, body, StringComparison.Ordinal);
        Assert.Contains("\"apiKey\":\"[REDACTED]", body, StringComparison.Ordinal);
        Assert.Contains("\"port\":7878", body, StringComparison.Ordinal);
        // Same length as the key: the upstream's Content-Length still holds, the answer still streams.
        Assert.Equal(Encoding.UTF8.GetByteCount(body), response.Content.Headers.ContentLength);
        Assert.Equal(RadarrKey, Assert.Single(_radarr.Received("/api/v3/config/host")).RequestMessage.Headers!["X-Api-Key"].Single());
    }

    public void Dispose()
    {
        _fanart.Dispose();
        _radarr.Dispose();
    }

    private Dictionary<string, string> FanartSettings(string? url = null) =>
        Settings(Destination("fanart", url ?? _fanart.Url), ("EnrichProxy:Upstreams:fanart:ApiKey", FanartKey));

    // As a browser or an Arr asks: compressed if the server likes.
    private static HttpClient GzipClient(ProxyHost proxy) =>
        new(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.All }) { BaseAddress = proxy.Client.BaseAddress };

    private static byte[] Compress(string text, string encoding)
    {
        using var output = new MemoryStream();
        using (Stream compressor = encoding switch
        {
            "gzip" => new GZipStream(output, CompressionLevel.Fastest),
            "br" => new BrotliStream(output, CompressionLevel.Fastest),
            _ => new ZLibStream(output, CompressionLevel.Fastest),
        })
        {
            compressor.Write(Encoding.UTF8.GetBytes(text));
        }

        return output.ToArray();
    }

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}

using System.IO.Compression;
using System.Net.Http.Headers;

namespace EnrichProxy.Upstreams;

/// <summary>
/// Upstreams are asked for plain answers (no <c>Accept-Encoding</c>), so that the proxy can check them for its key
/// and store them for every client. One that compresses anyway is decoded here.
/// </summary>
internal static class ContentDecoding
{
    /// <summary>Whether the body comes as it is (no encoding, or only <c>identity</c>).</summary>
    public static bool IsPlain(HttpContentHeaders headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        return headers.ContentEncoding.All(encoding => string.Equals(encoding, "identity", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The decoded body, or null for an encoding (or a chain of them) the proxy cannot read.</summary>
    public static Stream? Decode(HttpContentHeaders headers, Stream body)
    {
        ArgumentNullException.ThrowIfNull(headers);
        return headers.ContentEncoding.Count != 1 ? null : headers.ContentEncoding.First().Trim().ToLowerInvariant() switch
        {
            "gzip" or "x-gzip" => new GZipStream(body, CompressionMode.Decompress),
            "deflate" => new ZLibStream(body, CompressionMode.Decompress),
            "br" => new BrotliStream(body, CompressionMode.Decompress),
            _ => null,
        };
    }
}

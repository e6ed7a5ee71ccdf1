using System.Security.Cryptography;
using System.Text;
using EnrichProxy.Enrichment.Overrides;
using EnrichProxy.Upstreams;

namespace EnrichProxy.Enrichment;

/// <summary>
/// The library state of a document (paths, monitoring, files) is the Arr instance's private data, read
/// with the proxy's key: a caller sees it only with the key the proxied Arr routes ask for, the instance's
/// own or the proxy's <c>InboundApiKey</c>, in <c>X-Api-Key</c> or <c>apikey</c>.
/// </summary>
internal sealed class LibraryAccess(UpstreamRegistry upstreams)
{
    public bool MaySee(HttpRequest request, ItemKind kind)
    {
        ArgumentNullException.ThrowIfNull(request);
        var sent = request.Headers["X-Api-Key"].ToString() is { Length: > 0 } header ? header : request.Query["apikey"].ToString();
        if (sent.Length == 0)
        {
            return false;
        }

        var instance = upstreams.Get(kind switch { ItemKind.Movies => "radarr", ItemKind.Series => "sonarr", _ => "lidarr" }).ApiKey;
        return Same(sent, instance) || Same(sent, upstreams.InboundApiKey);
    }

    private static bool Same(string sent, string? expected) =>
        expected is { Length: > 0 } && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(sent)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}

using System.Net;
using System.Security.Cryptography;
using System.Text;
using EnrichProxy.Configuration;
using Microsoft.Extensions.Options;

namespace EnrichProxy.Interception;

/// <summary>
/// Who may use the forward proxy: with proxy credentials configured, clients that send them
/// (<c>Proxy-Authorization: Basic</c>, as Radarr and Sonarr do); without, only loopback and private-network clients.
/// </summary>
internal sealed class ProxyClients
{
    private readonly byte[]? _expected;

    public ProxyClients(IOptions<EnrichProxyOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Value.ForwardProxy;
        // Hashed, so the comparison takes the same time whatever the length or the first wrong byte.
        _expected = settings.RequiresCredentials ? Hash($"{settings.Username}:{settings.Password}") : null;
    }

    /// <summary>Whether a request with <paramref name="proxyAuthorization"/> from <paramref name="remote"/> is served.</summary>
    public bool Allows(string? proxyAuthorization, IPAddress? remote)
    {
        if (_expected is null)
        {
            return remote is not null && NetworkAddresses.IsLoopbackOrPrivate(remote);
        }

        return TryDecodeBasic(proxyAuthorization, out var credentials)
            && CryptographicOperations.FixedTimeEquals(Hash(credentials), _expected);
    }

    private static bool TryDecodeBasic(string? header, out string credentials)
    {
        credentials = string.Empty;
        const string Scheme = "Basic ";
        if (header is null || !header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var encoded = header.AsSpan(Scheme.Length).Trim();
        var bytes = new byte[((encoded.Length + 3) / 4) * 3];
        if (!Convert.TryFromBase64Chars(encoded, bytes, out var written))
        {
            return false;
        }

        credentials = Encoding.UTF8.GetString(bytes, 0, written);
        return true;
    }

    private static byte[] Hash(string value) => SHA256.HashData(Encoding.UTF8.GetBytes(value));
}

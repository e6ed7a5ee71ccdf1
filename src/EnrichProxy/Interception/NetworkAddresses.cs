using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace EnrichProxy.Interception;

/// <summary>The address classes the forward proxy's rules name: who may use it, and where it may connect.</summary>
internal static class NetworkAddresses
{
    private static readonly Lazy<HashSet<IPAddress>> OwnAddresses = new(ReadOwnAddresses);

    // Cloud metadata services outside link-local (which is refused whole): Alibaba's, and AWS's over IPv6.
    private static readonly HashSet<IPAddress> MetadataServices = [IPAddress.Parse("100.100.100.200"), IPAddress.Parse("fd00:ec2::254")];

    /// <summary>Loopback, or a private network (RFC 1918, RFC 6598 shared space, IPv6 unique local): the clients served without proxy credentials.</summary>
    public static bool IsLoopbackOrPrivate(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        address = Unmapped(address);
        if (IPAddress.IsLoopback(address))
        {
            return true;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> bytes = stackalloc byte[4];
            address.TryWriteBytes(bytes, out _);
            return bytes[0] == 10
                || (bytes[0] == 172 && (bytes[1] & 0xF0) == 16)
                || (bytes[0] == 192 && bytes[1] == 168)
                || (bytes[0] == 100 && (bytes[1] & 0xC0) == 64);
        }

        return address.IsIPv6UniqueLocal;
    }

    /// <summary>
    /// An address a tunnel must not reach unless allowed: loopback, link-local (cloud metadata services live at
    /// 169.254.169.254; the few outside it are listed), unspecified, multicast, broadcast, or one of this machine's own.
    /// </summary>
    public static bool IsLocal(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        address = Unmapped(address);
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)
            || address.Equals(IPAddress.Broadcast) || MetadataServices.Contains(address) || OwnAddresses.Value.Contains(address))
        {
            return true;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> bytes = stackalloc byte[4];
            address.TryWriteBytes(bytes, out _);
            return bytes[0] == 0 || (bytes[0] == 169 && bytes[1] == 254) || bytes[0] >= 224;
        }

        return address.IsIPv6LinkLocal || address.IsIPv6Multicast || address.IsIPv6SiteLocal;
    }

    private static IPAddress Unmapped(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private static HashSet<IPAddress> ReadOwnAddresses()
    {
        var own = new HashSet<IPAddress>();
        try
        {
            foreach (var network in NetworkInterface.GetAllNetworkInterfaces())
            {
                foreach (var unicast in network.GetIPProperties().UnicastAddresses)
                {
                    own.Add(Unmapped(unicast.Address));
                }
            }
        }
        catch (NetworkInformationException)
        {
            // Without the list, loopback and link-local are still refused.
        }

        return own;
    }
}

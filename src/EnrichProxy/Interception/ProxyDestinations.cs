using System.Net;
using System.Net.Sockets;
using EnrichProxy.Configuration;
using Microsoft.Extensions.Options;

namespace EnrichProxy.Interception;

/// <summary>
/// Where tunnels and plain-HTTP requests may go: the allowed ports, and never loopback, link-local or the
/// proxy's own addresses unless <see cref="ForwardProxyOptions.AllowLocalDestinations"/>. The host is resolved
/// once and the connection made to the addresses checked, so a name cannot change its answer in between.
/// </summary>
internal sealed class ProxyDestinations(IOptions<EnrichProxyOptions> options)
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);
    private readonly ForwardProxyOptions _settings = options.Value.ForwardProxy;

    /// <summary>Whether a tunnel (CONNECT) may reach <paramref name="port"/>.</summary>
    public bool AllowsTunnelPort(int port) => _settings.AllowedPorts.Contains(port);

    /// <summary>Whether a plain <c>http://</c> request may reach <paramref name="port"/>: 80, or a tunnel's port.</summary>
    public bool AllowsPlainPort(int port) => port == 80 || AllowsTunnelPort(port);

    /// <summary>Resolves <paramref name="host"/> and connects to the first allowed address that answers.</summary>
    /// <exception cref="ProxyDestinationRefusedException">The host does not resolve, or only to addresses the rules forbid.</exception>
    /// <exception cref="SocketException">No allowed address accepted the connection.</exception>
    public async Task<Socket> ConnectAsync(string host, int port, CancellationToken cancellationToken)
    {
        var addresses = await ResolveAsync(host, cancellationToken);
        var allowed = _settings.AllowLocalDestinations ? addresses : [.. addresses.Where(address => !NetworkAddresses.IsLocal(address))];
        if (allowed.Length == 0)
        {
            throw new ProxyDestinationRefusedException(ProxyRefusal.Address, $"{host} resolves only to addresses the forward proxy does not reach (loopback, link-local or its own).");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ConnectTimeout);
            await socket.ConnectAsync(allowed, port, timeout.Token);
            return socket;
        }
        catch (Exception exception) when (exception is ArgumentException or NotSupportedException)
        {
            // An address of a family this machine has no route or stack for: as unreachable as a refused one.
            socket.Dispose();
            throw new SocketException((int)SocketError.AddressFamilyNotSupported);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host, out var literal))
        {
            return [literal];
        }

        try
        {
            return await Dns.GetHostAddressesAsync(host, cancellationToken);
        }
        catch (SocketException)
        {
            throw new ProxyDestinationRefusedException(ProxyRefusal.Unresolvable, $"{host} does not resolve.");
        }
    }
}

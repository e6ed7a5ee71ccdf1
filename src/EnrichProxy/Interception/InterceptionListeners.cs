using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace EnrichProxy.Interception;

/// <summary>
/// Binds Kestrel's listeners when the forward proxy or the TLS front door is on: the main addresses first (as
/// <c>--urls</c> would; Kestrel ignores <c>--urls</c> once any listener is bound in code), then the forward proxy
/// (HTTP/1.1, with <see cref="ForwardProxyConnections"/> in front of Kestrel's HTTP handling), then the front door
/// (HTTPS, certificate by SNI). Keeps the bound endpoints, for a port chosen by the system (<c>:0</c>).
/// </summary>
internal sealed class InterceptionListeners
{
    private ListenOptions? _forwardProxy;
    private ListenOptions? _frontDoor;

    /// <summary>Where the forward proxy listens, once bound.</summary>
    public IPEndPoint? ForwardProxyEndPoint => _forwardProxy?.IPEndPoint;

    /// <summary>Where the TLS front door listens, once bound.</summary>
    public IPEndPoint? FrontDoorEndPoint => _frontDoor?.IPEndPoint;

    public void Bind(KestrelServerOptions kestrel, IReadOnlyList<string> mainUrls, Configuration.EnrichProxyOptions options)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        ArgumentNullException.ThrowIfNull(mainUrls);
        ArgumentNullException.ThrowIfNull(options);
        var services = kestrel.ApplicationServices;
        foreach (var url in mainUrls)
        {
            Listen(kestrel, url, listen =>
            {
                if (IsHttps(url))
                {
                    listen.UseHttps();
                }
            });
        }

        if (options.ForwardProxy.Enabled)
        {
            var connections = services.GetRequiredService<ForwardProxyConnections>();
            _forwardProxy = Listen(kestrel, options.ForwardProxy.Url, listen =>
            {
                // Absolute-form requests and the decrypted requests of intercepted tunnels are HTTP/1.1, as CONNECT is.
                listen.Protocols = HttpProtocols.Http1;
                listen.Use(next => connection => connections.OnConnectionAsync(connection, next));
            });
        }

        if (options.TlsFrontDoor.Enabled)
        {
            var certificates = services.GetRequiredService<FrontDoorCertificates>();
            _frontDoor = Listen(kestrel, options.TlsFrontDoor.Url, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(certificates.HandshakeOptions());
                listen.Use(next => connection =>
                {
                    connection.Features.Set(ProxyListenerFeature.FrontDoor);
                    return next(connection);
                });
            });
        }
    }

    private static bool IsHttps(string url) => url.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    // As Kestrel binds a URL: localhost on both loopbacks, * and + and names on every address, an IP on itself.
    private static ListenOptions Listen(KestrelServerOptions kestrel, string url, Action<ListenOptions> configure)
    {
        var address = BindingAddress.Parse(url);
        ListenOptions? bound = null;
        void Capture(ListenOptions listen)
        {
            bound = listen;
            configure(listen);
        }

        if (string.Equals(address.Host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            kestrel.ListenLocalhost(address.Port, Capture);
        }
        else if (IPAddress.TryParse(address.Host.Trim('[', ']'), out var ip))
        {
            kestrel.Listen(ip, address.Port, Capture);
        }
        else
        {
            kestrel.ListenAnyIP(address.Port, Capture);
        }

        return bound!;
    }
}

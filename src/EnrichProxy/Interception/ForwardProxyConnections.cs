using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using System.Text.Json;
using EnrichProxy.Configuration;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace EnrichProxy.Interception;

/// <summary>
/// The forward-proxy listener's connection middleware (<c>ListenOptions.Use</c>). It reads a <c>CONNECT</c>
/// itself: for an intercepted host it answers 200, terminates TLS with the proxy CA's certificate for that host
/// and hands the decrypted connection to Kestrel's HTTP handling; any other host gets a plain byte tunnel, never
/// decrypted. Anything that is not a CONNECT (an absolute-form <c>http://</c> request) goes to Kestrel as it came.
/// Who may use it and where it may connect: <see cref="ProxyClients"/>, <see cref="ProxyDestinations"/>.
/// </summary>
internal sealed partial class ForwardProxyConnections(
    ProxyClients clients,
    ProxyDestinations destinations,
    CertificateAuthority authority,
    InterceptionMetrics metrics,
    IOptions<EnrichProxyOptions> options,
    TimeProvider time,
    ILogger<ForwardProxyConnections> logger)
{
    // As Kestrel's own request-head timeout: a connection that sends no complete head in time is closed.
    private static readonly TimeSpan HeadTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(30);
    private static readonly byte[] Established = "HTTP/1.1 200 Connection Established\r\n\r\n"u8.ToArray();

    private readonly ForwardProxyOptions _settings = options.Value.ForwardProxy;
    private int _inUse;

    public async Task OnConnectionAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(next);
        var (kind, request) = await ReadHeadAsync(connection);
        switch (kind)
        {
            case HeadKind.NotConnect:
                connection.Features.Set(ProxyListenerFeature.PlainForwardProxy);
                await next(connection);
                return;
            case HeadKind.Malformed:
                await RefuseAsync(connection, ProxyRefusal.BadRequest, StatusCodes.Status400BadRequest, "Bad proxy request", "Send CONNECT host:port HTTP/1.1 for https:// targets, or an absolute-form request for http:// ones.");
                return;
            case HeadKind.Gone:
                return;
        }

        var remote = (connection.RemoteEndPoint as IPEndPoint)?.Address;
        if (!clients.Allows(request!.ProxyAuthorization, remote))
        {
            await RefuseAsync(connection, ProxyRefusal.Credentials, StatusCodes.Status407ProxyAuthenticationRequired, "Proxy authentication required",
                "This proxy needs its credentials (Proxy-Authorization: Basic), or a client on a private network when it has none.");
            return;
        }

        if (Interlocked.Increment(ref _inUse) > _settings.MaxTunnels)
        {
            Interlocked.Decrement(ref _inUse);
            await RefuseAsync(connection, ProxyRefusal.Capacity, StatusCodes.Status503ServiceUnavailable, "Too many tunnels", $"The proxy has {_settings.MaxTunnels} tunnels open; try again shortly.");
            return;
        }

        try
        {
            if (request.Port == 443 && authority.ContextFor(request.Host) is { } certificate)
            {
                await InterceptAsync(connection, next, request.Host, certificate);
            }
            else
            {
                await TunnelAsync(connection, request);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _inUse);
        }
    }

    private async Task InterceptAsync(ConnectionContext connection, ConnectionDelegate next, string host, SslStreamCertificateContext certificate)
    {
        await connection.Transport.Output.WriteAsync(Established, connection.ConnectionClosed);
        var original = connection.Transport;
        var tls = new SslStream(new DuplexPipeStream(original), leaveInnerStreamOpen: false);
        await using (tls)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed);
                timeout.CancelAfter(HandshakeTimeout);
                await tls.AuthenticateAsServerAsync(
                    new SslServerAuthenticationOptions { ServerCertificateContext = certificate, ApplicationProtocols = [SslApplicationProtocol.Http11] },
                    timeout.Token);
            }
            catch (Exception exception) when (exception is AuthenticationException or IOException or OperationCanceledException)
            {
                // The usual cause: the client does not trust the proxy's CA yet.
                LogHandshakeFailed(logger, host, exception.GetType().Name);
                return;
            }

            using (metrics.Opened(intercepted: true))
            {
                connection.Transport = new StreamDuplexPipe(tls);
                connection.Features.Set(new ProxyListenerFeature(ProxyListener.ForwardProxy, host));
                try
                {
                    await next(connection);
                }
                finally
                {
                    connection.Transport = original;
                }
            }
        }
    }

    private async Task TunnelAsync(ConnectionContext connection, ConnectRequest request)
    {
        if (!destinations.AllowsTunnelPort(request.Port))
        {
            await RefuseAsync(connection, ProxyRefusal.Port, StatusCodes.Status403Forbidden, "Port not allowed",
                $"This proxy opens tunnels to ports {string.Join(", ", _settings.AllowedPorts)} only.");
            return;
        }

        Socket host;
        try
        {
            host = await destinations.ConnectAsync(request.Host, request.Port, connection.ConnectionClosed);
        }
        catch (ProxyDestinationRefusedException refused)
        {
            var status = refused.Reason == ProxyRefusal.Address ? StatusCodes.Status403Forbidden : StatusCodes.Status502BadGateway;
            await RefuseAsync(connection, refused.Reason, status, "Destination refused", refused.Message);
            return;
        }
        catch (Exception exception) when (exception is SocketException or OperationCanceledException)
        {
            await RespondAsync(connection, StatusCodes.Status502BadGateway, "Bad Gateway", "Destination unreachable", $"{request.Host}:{request.Port} did not accept a connection.");
            return;
        }

        using (host)
        using (metrics.Opened(intercepted: false))
        {
            LogTunnel(logger, request.Host, request.Port);
            await connection.Transport.Output.WriteAsync(Established, connection.ConnectionClosed);
            await ByteTunnel.RunAsync(connection.Transport, host, _settings.TunnelIdleTimeout, time, metrics, connection.ConnectionClosed);
        }
    }

    // Reads up to the end of a CONNECT head, or only far enough to know it is not one (then nothing is consumed).
    private static async Task<(HeadKind Kind, ConnectRequest? Request)> ReadHeadAsync(ConnectionContext connection)
    {
        var input = connection.Transport.Input;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed);
        timeout.CancelAfter(HeadTimeout);
        while (true)
        {
            System.IO.Pipelines.ReadResult read;
            try
            {
                read = await input.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                return (HeadKind.Gone, null);
            }

            var buffer = read.Buffer;
            if (buffer.Length >= ConnectRequest.Method.Length || read.IsCompleted)
            {
                if (!ConnectRequest.StartsWithConnect(buffer))
                {
                    input.AdvanceTo(buffer.Start); // Kestrel reads these bytes again, from the start.
                    return (HeadKind.NotConnect, null);
                }

                if (ConnectRequest.TryFindHeadEnd(buffer, out var afterHead, out var head))
                {
                    var request = head.Length <= ConnectRequest.MaxHeadBytes ? ConnectRequest.Parse(head) : null;
                    input.AdvanceTo(afterHead);
                    return (request is null ? HeadKind.Malformed : HeadKind.Connect, request);
                }

                if (buffer.Length > ConnectRequest.MaxHeadBytes || read.IsCompleted)
                {
                    input.AdvanceTo(buffer.End);
                    return (HeadKind.Malformed, null);
                }
            }

            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private async Task RefuseAsync(ConnectionContext connection, ProxyRefusal reason, int status, string title, string detail)
    {
        metrics.Refused(reason);
        LogRefused(logger, reason, connection.RemoteEndPoint);
        var phrase = status switch
        {
            StatusCodes.Status400BadRequest => "Bad Request",
            StatusCodes.Status403Forbidden => "Forbidden",
            StatusCodes.Status407ProxyAuthenticationRequired => "Proxy Authentication Required",
            StatusCodes.Status503ServiceUnavailable => "Service Unavailable",
            _ => "Bad Gateway",
        };
        await RespondAsync(connection, status, phrase, title, detail);
    }

    // The proxy's own answer to a CONNECT, as problem+json; the connection closes after it.
    private static async Task RespondAsync(ConnectionContext connection, int status, string phrase, string title, string detail)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new ProblemDetails { Status = status, Title = title, Detail = detail });
        var head = new StringBuilder()
            .Append(System.Globalization.CultureInfo.InvariantCulture, $"HTTP/1.1 {status} {phrase}\r\n")
            .Append(status == StatusCodes.Status407ProxyAuthenticationRequired ? "Proxy-Authenticate: Basic realm=\"EnrichProxy\"\r\n" : string.Empty)
            .Append(status == StatusCodes.Status503ServiceUnavailable ? "Retry-After: 5\r\n" : string.Empty)
            .Append(System.Globalization.CultureInfo.InvariantCulture, $"Content-Type: application/problem+json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n")
            .ToString();
        try
        {
            var output = connection.Transport.Output;
            await output.WriteAsync(Encoding.ASCII.GetBytes(head), connection.ConnectionClosed);
            await output.WriteAsync(body, connection.ConnectionClosed);
            await output.CompleteAsync();
        }
        catch (Exception exception) when (exception is IOException or OperationCanceledException or InvalidOperationException)
        {
            // The client left first.
        }
    }

    private enum HeadKind
    {
        Connect,
        NotConnect,
        Malformed,
        Gone,
    }

    [LoggerMessage(EventId = 8101, EventName = "ForwardProxyHandshakeFailed", Level = LogLevel.Warning,
        Message = "TLS handshake for intercepted host {Host} failed ({Error}): does the client trust the proxy's CA (GET /ca.crt)?")]
    private static partial void LogHandshakeFailed(ILogger logger, string host, string error);

    [LoggerMessage(EventId = 8102, EventName = "ForwardProxyTunnel", Level = LogLevel.Debug, Message = "Tunnel to {Host}:{Port}")]
    private static partial void LogTunnel(ILogger logger, string host, int port);

    [LoggerMessage(EventId = 8103, EventName = "ForwardProxyRefused", Level = LogLevel.Information, Message = "Forward proxy refused a CONNECT from {Client}: {Reason}")]
    private static partial void LogRefused(ILogger logger, ProxyRefusal reason, EndPoint? client);
}

using System.Net.Security;
using System.Security.Authentication;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace EnrichProxy.Interception;

/// <summary>
/// The TLS front door's certificate choice, by the name the client asks for (SNI): the proxy CA's certificate for
/// an intercepted host; any other name, or none, ends the handshake.
/// </summary>
internal sealed partial class FrontDoorCertificates(CertificateAuthority authority, InterceptionMetrics metrics, ILogger<FrontDoorCertificates> logger)
{
    /// <summary>Kestrel's <see cref="TlsHandshakeCallbackOptions"/> for the front door's listener.</summary>
    public TlsHandshakeCallbackOptions HandshakeOptions() => new() { OnConnection = Select, HandshakeTimeout = TimeSpan.FromSeconds(30) };

    private ValueTask<SslServerAuthenticationOptions> Select(TlsHandshakeCallbackContext context)
    {
        var name = InterceptedHosts.Normalize(context.ClientHelloInfo.ServerName ?? string.Empty);
        if (authority.ContextFor(name) is not { } certificate)
        {
            metrics.Refused(ProxyRefusal.Misdirected);
            LogUnknownName(logger, name.Length == 0 ? "(none)" : name);
            throw new AuthenticationException("The TLS front door answers the intercepted hosts only.");
        }

        return ValueTask.FromResult(new SslServerAuthenticationOptions { ServerCertificateContext = certificate });
    }

    // Debug: anyone who reaches the port can send names, and scanners would fill the log. The refusals are counted.
    [LoggerMessage(EventId = 8201, EventName = "FrontDoorUnknownName", Level = LogLevel.Debug,
        Message = "TLS front door refused a handshake for {ServerName}: not an intercepted host")]
    private static partial void LogUnknownName(ILogger logger, string serverName);
}

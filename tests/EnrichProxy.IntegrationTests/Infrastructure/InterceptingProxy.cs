using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using EnrichProxy.Interception;
using Microsoft.Extensions.DependencyInjection;

namespace EnrichProxy.IntegrationTests.Infrastructure;

/// <summary>The forward proxy and the TLS front door of a <see cref="ProxyHost"/>, and clients set up the way the apps set up theirs.</summary>
internal static class InterceptingProxy
{
    public const string User = "radarr";
    public const string Password = "proxy-password-for-tests";

    /// <summary>Both listeners on, on ports of the system's choice, with proxy credentials.</summary>
    public static (string Key, string Value)[] Enabled(bool frontDoor = true, bool credentials = true) =>
    [
        ("EnrichProxy:ForwardProxy:Enabled", "true"),
        ("EnrichProxy:ForwardProxy:Url", "http://127.0.0.1:0"),
        ("EnrichProxy:ForwardProxy:Username", credentials ? User : string.Empty),
        ("EnrichProxy:ForwardProxy:Password", credentials ? Password : string.Empty),
        ("EnrichProxy:TlsFrontDoor:Enabled", frontDoor ? "true" : "false"),
        ("EnrichProxy:TlsFrontDoor:Url", "https://127.0.0.1:0"),
    ];

    public static int ForwardProxyPort(this ProxyHost proxy) =>
        proxy.Services.GetRequiredService<InterceptionListeners>().ForwardProxyEndPoint!.Port;

    public static int FrontDoorPort(this ProxyHost proxy) =>
        proxy.Services.GetRequiredService<InterceptionListeners>().FrontDoorEndPoint!.Port;

    /// <summary>The CA as a client gets it: <c>GET /ca.crt</c> on the main port.</summary>
    public static async Task<X509Certificate2> CaAsync(this ProxyHost proxy)
    {
        var pem = await proxy.Client.GetStringAsync("/ca.crt");
        return X509Certificate2.CreateFromPem(pem);
    }

    /// <summary>
    /// An <see cref="HttpClient"/> as Radarr's and Sonarr's <c>ManagedHttpDispatcher</c> builds one: a <see cref="SocketsHttpHandler"/>
    /// with a <see cref="WebProxy"/> and its credentials, trusting the proxy's exported CA as the operator set it up.
    /// </summary>
    public static HttpClient RadarrLikeClient(this ProxyHost proxy, X509Certificate2 ca, NetworkCredential? credentials = null) =>
        new(new SocketsHttpHandler
        {
            Proxy = new WebProxy(new Uri($"http://127.0.0.1:{proxy.ForwardProxyPort()}")) { Credentials = credentials ?? new NetworkCredential(User, Password) },
            UseProxy = true,
            AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Brotli,
            SslOptions = TrustOnly(ca),
        })
        { Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>A client whose every connection goes to the front door, as when DNS points the metadata hosts at the proxy.</summary>
    public static HttpClient FrontDoorClient(this ProxyHost proxy, X509Certificate2 ca) =>
        new(new SocketsHttpHandler
        {
            UseProxy = false,
            SslOptions = TrustOnly(ca),
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(IPAddress.Loopback, proxy.FrontDoorPort(), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        })
        { Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>Sends a raw request head to the forward proxy and returns its answer's status line and headers.</summary>
    public static async Task<string> RawAsync(this ProxyHost proxy, string head)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, proxy.ForwardProxyPort());
        return await ExchangeAsync(client.GetStream(), head);
    }

    /// <summary>Sends a raw request head over TLS to the front door (SNI <paramref name="host"/>) and returns its answer's status line and headers.</summary>
    public static async Task<string> RawFrontDoorAsync(this ProxyHost proxy, X509Certificate2 ca, string host, string head)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, proxy.FrontDoorPort());
        await using var tls = new SslStream(client.GetStream());
        var options = TrustOnly(ca);
        options.TargetHost = host;
        await tls.AuthenticateAsClientAsync(options);
        return await ExchangeAsync(tls, head);
    }

    // Writes a request head and reads the answer's status line and headers.
    private static async Task<string> ExchangeAsync(Stream stream, string head)
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
        var answer = new StringBuilder();
        while (await reader.ReadLineAsync() is { Length: > 0 } line)
        {
            answer.Append(line).Append('\n');
        }

        return answer.ToString();
    }

    public static string BasicCredentials(string user = User, string password = Password) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));

    private static SslClientAuthenticationOptions TrustOnly(X509Certificate2 ca)
    {
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(ca);
        return new SslClientAuthenticationOptions { CertificateChainPolicy = policy };
    }
}

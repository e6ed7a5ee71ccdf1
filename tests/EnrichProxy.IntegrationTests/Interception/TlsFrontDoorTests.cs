using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using EnrichProxy.IntegrationTests.Infrastructure;
using static EnrichProxy.IntegrationTests.Fixtures.MetadataServers;
using static EnrichProxy.IntegrationTests.Infrastructure.ProxyHost;

namespace EnrichProxy.IntegrationTests.Interception;

/// <summary>The metadata host names pointed at the proxy (DNS, <c>extra_hosts</c>): HTTPS answered with the CA's certificate chosen by SNI.</summary>
public sealed class TlsFrontDoorTests : IDisposable
{
    private readonly FakeUpstream _radarr = new();

    [Fact]
    public async Task RadarrsMovieLookup_AtTheFrontDoor_IsAMissThenAHit_SharingTheForwardProxysEntry()
    {
        _radarr.Json(RadarrMoviePath(603), Movie(603));
        await using var proxy = await StartAsync(Settings([Destination("radarr-metadata", _radarr.Url + "/v1/"), .. InterceptingProxy.Enabled()]));
        using var ca = await proxy.CaAsync();
        using var frontDoor = proxy.FrontDoorClient(ca);
        using var viaProxy = proxy.RadarrLikeClient(ca);

        using var miss = await frontDoor.GetAsync(RadarrMovieUrl(603));
        using var hit = await frontDoor.GetAsync(RadarrMovieUrl(603));
        using var proxied = await viaProxy.GetAsync(RadarrMovieUrl(603));

        Assert.Equal("MISS", miss.XCache());
        Assert.Equal("HIT", hit.XCache());
        Assert.Equal("HIT", proxied.XCache());
        Assert.Contains("\"TmdbId\":603", await hit.BodyAsync(), StringComparison.Ordinal);
        Assert.Single(_radarr.Received(RadarrMoviePath(603)));
        // The CA's path and fingerprint are logged at start, so an operator can check the certificate an app trusts.
        var fingerprint = Convert.ToHexString(ca.GetCertHash(System.Security.Cryptography.HashAlgorithmName.SHA256));
        Assert.Contains(proxy.Logs.Lines, line => line.Contains("[CertificateAuthorityLoaded]", StringComparison.Ordinal) && line.Contains(fingerprint, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/v1/../../admin/stats")] // /admin/stats once resolved: the proxy's own endpoint
    [InlineData("/v1/../../tmdb/3/movie/603")] // another cluster's route, with the proxy's TMDb key
    [InlineData("/v1/%2e%2e/%2e%2e/admin/stats")]
    public async Task DotSegments_CannotLeaveTheHostsBasePath(string target)
    {
        await using var proxy = await StartAsync(Settings([Destination("radarr-metadata", _radarr.Url + "/v1/"), .. InterceptingProxy.Enabled(), AdminClient.Enabled]));
        using var ca = await proxy.CaAsync();

        var answer = await proxy.RawFrontDoorAsync(ca, RadarrHost,
            $"GET {target} HTTP/1.1\r\nHost: {RadarrHost}\r\nX-Admin-Key: {AdminClient.Key}\r\nConnection: close\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 404", answer, StringComparison.Ordinal);
        Assert.Contains("application/problem+json", answer, StringComparison.Ordinal);
        Assert.Empty(_radarr.Server.LogEntries);
    }

    [Fact]
    public async Task AnyOtherName_IsRefusedInTheHandshake()
    {
        await using var proxy = await StartAsync(Settings(InterceptingProxy.Enabled()));
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, proxy.FrontDoorPort());
        await using var tls = new SslStream(client.GetStream());

        var handshake = tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "www.example-bank.com",
            RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null, // Whatever it is: the handshake itself must fail.
        });

        await Assert.ThrowsAnyAsync<Exception>(() => handshake);
        Assert.True(handshake.Exception!.InnerException is AuthenticationException or IOException);
    }

    [Fact]
    public async Task ARequestForAnotherHostThanTheCertificatesName_Is421()
    {
        await using var proxy = await StartAsync(Settings(InterceptingProxy.Enabled()));
        using var ca = await proxy.CaAsync();
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, proxy.FrontDoorPort());
        await using var tls = new SslStream(client.GetStream());
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(ca);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = RadarrHost, CertificateChainPolicy = policy });

        // A certificate for api.radarr.video, a request for skyhook.sonarr.tv: not this connection's host.
        await tls.WriteAsync(Encoding.ASCII.GetBytes($"GET /v1/tvdb/shows/en/75978 HTTP/1.1\r\nHost: {SonarrHost}\r\nConnection: close\r\n\r\n"));
        using var reader = new StreamReader(tls, Encoding.ASCII);
        var statusLine = await reader.ReadLineAsync();

        Assert.StartsWith("HTTP/1.1 421", statusLine, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheCaCertificate_IsNotServedWhileInterceptionIsOff()
    {
        await using var proxy = await StartAsync(Settings());

        using var response = await proxy.Client.GetAsync("/ca.crt");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    public void Dispose() => _radarr.Dispose();
}

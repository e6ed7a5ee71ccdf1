using System.Security.Cryptography.X509Certificates;
using EnrichProxy.Configuration;
using EnrichProxy.Interception;
using EnrichProxy.Tests.Support;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EnrichProxy.Tests.Interception;

public sealed class CertificateAuthorityTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("enrichproxy-ca-").FullName;

    [Fact]
    public void CreateLeaf_ForAnInterceptedHost_ValidatesAgainstTheCa()
    {
        using var authority = CertificateAuthority.CreateAuthority(["api.radarr.video", "skyhook.sonarr.tv"], Now);
        using var leaf = CertificateAuthority.CreateLeaf(authority, "api.radarr.video", Now, TimeSpan.FromDays(7));

        Assert.True(CertificateAuthority.Validates(leaf, authority, Now, out var problems), problems.ToString());
        Assert.True(leaf.HasPrivateKey);
        Assert.Equal(Now.AddDays(7).UtcDateTime, leaf.NotAfter.ToUniversalTime(), TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void CreateLeaf_ForAnyOtherHost_IsRefusedByChainValidation_TheNameConstraintHolds()
    {
        // What a stolen key could sign: certificates for sites outside the list. .NET (OpenSSL here) refuses them.
        using var authority = CertificateAuthority.CreateAuthority(["api.radarr.video"], Now);
        using var bank = CertificateAuthority.CreateLeaf(authority, "www.example-bank.com", Now, TimeSpan.FromDays(7));
        using var sub = CertificateAuthority.CreateLeaf(authority, "evil.api.radarr.video.attacker.net", Now, TimeSpan.FromDays(7));

        Assert.False(CertificateAuthority.Validates(bank, authority, Now, out var problems));
        Assert.True(problems.HasFlag(X509ChainStatusFlags.HasNotPermittedNameConstraint), problems.ToString());
        Assert.False(CertificateAuthority.Validates(sub, authority, Now, out _));
    }

    [Fact]
    public void TheCa_IsConstrainedAndMayNotSignOtherCas()
    {
        using var authority = CertificateAuthority.CreateAuthority(["api.radarr.video"], Now);

        var constraints = Assert.Single(authority.Extensions.Cast<X509Extension>(), e => e.Oid?.Value == "2.5.29.30");
        Assert.True(constraints.Critical);
        var basic = Assert.IsType<X509BasicConstraintsExtension>(authority.Extensions["2.5.29.19"]);
        Assert.True(basic.CertificateAuthority);
        Assert.True(basic.HasPathLengthConstraint);
        Assert.Equal(0, basic.PathLengthConstraint);
    }

    [Fact]
    public void AtFirstStart_TheCaIsGenerated_WithAKeyOnlyTheProcessCanRead_AndKeptAcrossStarts()
    {
        string firstPem;
        using (var first = Authority())
        {
            firstPem = first.CertificatePem;
            Assert.NotNull(first.ContextFor("api.radarr.video"));
        }

        using var second = Authority();

        Assert.Equal(firstPem, second.CertificatePem);
        Assert.DoesNotContain("PRIVATE KEY", second.CertificatePem, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_directory, "ca.key")));
        }
    }

    [Fact]
    public void ContextFor_AHostOutsideTheList_IsNone_AndACoveredHostsCertificateIsRenewedBeforeItEnds()
    {
        var time = new FakeTimeProvider(Now);
        using var authority = Authority(time);

        Assert.Null(authority.ContextFor("www.example.com"));
        var first = authority.ContextFor("API.RADARR.VIDEO");
        Assert.Same(first, authority.ContextFor("api.radarr.video"));

        time.Advance(TimeSpan.FromDays(5)); // Past two thirds of the 7-day lifetime.
        var renewed = authority.ContextFor("api.radarr.video");

        Assert.NotSame(first, renewed);
        Assert.True(renewed!.TargetCertificate.NotAfter.ToUniversalTime() > time.GetUtcNow().AddDays(6).UtcDateTime);
    }

    [Fact]
    public void AnOperatorsCa_ThatDoesNotCoverAHost_LeavesThatHostTunnelled()
    {
        using var narrow = CertificateAuthority.CreateAuthority(["api.radarr.video"], Now);
        var certificate = Path.Combine(_directory, "operator.crt");
        var key = Path.Combine(_directory, "operator.key");
        File.WriteAllText(certificate, narrow.ExportCertificatePem());
        File.WriteAllText(key, narrow.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());

        using var authority = Authority(settings: new CertificateAuthorityOptions { CertificatePath = certificate, KeyPath = key });

        Assert.Equal(["api.radarr.video"], authority.CoveredHosts);
        Assert.Null(authority.ContextFor("skyhook.sonarr.tv"));
    }

    [Fact]
    public void AChangedInterceptList_AppliesWithoutARestart_WithinWhatTheCaCovers()
    {
        var options = new ChangingOptions<EnrichProxyOptions>(new EnrichProxyOptions
        {
            ForwardProxy = new ForwardProxyOptions { InterceptHosts = ["api.radarr.video", "skyhook.sonarr.tv"] },
            CertificateAuthority = new CertificateAuthorityOptions { Directory = _directory },
        });
        using var authority = new CertificateAuthority(options, new TestEnvironment(_directory), new FakeTimeProvider(Now), NullLogger<CertificateAuthority>.Instance);
        Assert.Equal(2, authority.CoveredHosts.Count);

        // One host taken off, and one the CA (made for the first list) was never allowed to sign for.
        options.Change(new EnrichProxyOptions
        {
            ForwardProxy = new ForwardProxyOptions { InterceptHosts = ["api.radarr.video", "musicbrainz.org"] },
            CertificateAuthority = new CertificateAuthorityOptions { Directory = _directory },
        });

        Assert.Equal(["api.radarr.video"], authority.CoveredHosts);
        Assert.Null(authority.ContextFor("skyhook.sonarr.tv"));
        Assert.Null(authority.ContextFor("musicbrainz.org"));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private CertificateAuthority Authority(TimeProvider? time = null, CertificateAuthorityOptions? settings = null) => new(
        new ChangingOptions<EnrichProxyOptions>(new EnrichProxyOptions
        {
            ForwardProxy = new ForwardProxyOptions { InterceptHosts = ["api.radarr.video", "skyhook.sonarr.tv"] },
            CertificateAuthority = settings ?? new CertificateAuthorityOptions { Directory = _directory },
        }),
        new TestEnvironment(_directory),
        time ?? new FakeTimeProvider(Now),
        NullLogger<CertificateAuthority>.Instance);

    private sealed class TestEnvironment(string root) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Testing";

        public string ApplicationName { get; set; } = "EnrichProxy";

        public string ContentRootPath { get; set; } = root;

        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }
}

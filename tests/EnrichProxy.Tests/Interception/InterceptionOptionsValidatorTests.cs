using EnrichProxy.Configuration;
using EnrichProxy.Interception;

namespace EnrichProxy.Tests.Interception;

public sealed class InterceptionOptionsValidatorTests
{
    [Fact]
    public void TheDefaults_AreValid()
    {
        Assert.True(new InterceptionOptionsValidator().Validate(null, new EnrichProxyOptions()).Succeeded);
    }

    [Fact]
    public void EveryMistake_IsReportedWithItsKey()
    {
        var options = new EnrichProxyOptions
        {
            ForwardProxy = new ForwardProxyOptions
            {
                Url = "https://0.0.0.0:5081",
                Username = "radarr:admin",
                InterceptHosts = ["api.radarr.video", "not a host", "10.0.0.1"],
                AllowedPorts = [443, 0, 70000],
            },
            TlsFrontDoor = new TlsFrontDoorOptions { Url = "http://0.0.0.0:443" },
            CertificateAuthority = new CertificateAuthorityOptions { CertificatePath = "/etc/ca.pem" },
        };

        var failures = new InterceptionOptionsValidator().Validate(null, options).Failures?.ToList() ?? [];

        string[] expected =
        [
            "EnrichProxy:ForwardProxy:Url must be a http:// address",
            "EnrichProxy:TlsFrontDoor:Url must be a https:// address",
            "EnrichProxy:ForwardProxy:Username and Password are set together",
            "EnrichProxy:ForwardProxy:Username must not contain ':'",
            "EnrichProxy:ForwardProxy:InterceptHosts: 'not a host' is not a DNS host name",
            "EnrichProxy:ForwardProxy:InterceptHosts: '10.0.0.1' is not a DNS host name",
            "EnrichProxy:ForwardProxy:AllowedPorts: 0 is not a port",
            "EnrichProxy:ForwardProxy:AllowedPorts: 70000 is not a port",
            "EnrichProxy:CertificateAuthority:CertificatePath and KeyPath are set together",
        ];
        Assert.All(expected, message => Assert.Contains(failures, f => f.StartsWith(message, StringComparison.Ordinal)));
        Assert.Equal(expected.Length, failures.Count);
    }

    [Fact]
    public void InterceptionOn_WithoutHosts_IsReported()
    {
        var options = new EnrichProxyOptions { TlsFrontDoor = new TlsFrontDoorOptions { Enabled = true } };

        var failure = Assert.Single(new InterceptionOptionsValidator().Validate(null, options).Failures!);

        Assert.StartsWith("EnrichProxy:ForwardProxy:InterceptHosts must name at least one host", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("http://unix:/tmp/proxy.sock")]
    public void AnUnusableUrl_IsReported(string url)
    {
        var options = new EnrichProxyOptions { ForwardProxy = new ForwardProxyOptions { Url = url } };

        var failure = Assert.Single(new InterceptionOptionsValidator().Validate(null, options).Failures!);

        Assert.StartsWith("EnrichProxy:ForwardProxy:Url", failure, StringComparison.Ordinal);
    }
}

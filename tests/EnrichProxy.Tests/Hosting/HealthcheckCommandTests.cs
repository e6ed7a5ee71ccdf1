using EnrichProxy.Hosting;

namespace EnrichProxy.Tests.Hosting;

public sealed class HealthcheckCommandTests
{
    [Theory]
    [InlineData("urls", "http://+:5080", "http://127.0.0.1:5080/health/live")]
    [InlineData("urls", "http://*:8080;https://*:8443", "http://127.0.0.1:8080/health/live")]
    [InlineData("urls", "http://[::]:5080", "http://[::1]:5080/health/live")]
    [InlineData("urls", "https://proxy.lan:5443", "https://127.0.0.1:5443/health/live")]
    [InlineData("urls", "http://192.168.1.20:5080", "http://192.168.1.20:5080/health/live")]
    [InlineData("urls", "http://127.0.0.1:0;http://127.0.0.1:6000", "http://127.0.0.1:6000/health/live")]
    [InlineData("http_ports", "7000", "http://127.0.0.1:7000/health/live")]
    [InlineData("Kestrel:Endpoints:Main:Url", "http://0.0.0.0:9000", "http://127.0.0.1:9000/health/live")]
    [InlineData("unrelated", "x", "http://localhost:5080/health/live")]
    public void TheCheckedAddress_IsTheFirstConfiguredOne_OnLoopbackForAnyAddress(string key, string value, string expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new(key, value)]).Build();

        Assert.Equal(new Uri(expected), HealthcheckCommand.LivenessUrl(configuration));
    }

    [Fact]
    public void OnlyAnyFreePort_LeavesNothingToCheck()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new("urls", "http://127.0.0.1:0")]).Build();

        Assert.Null(HealthcheckCommand.LivenessUrl(configuration));
    }

    [Theory]
    [InlineData("healthcheck", true)]
    [InlineData("HEALTHCHECK", true)]
    [InlineData("--urls=http://+:1", false)]
    public void TheSubCommand_IsTheFirstArgument(string first, bool expected) =>
        Assert.Equal(expected, HealthcheckCommand.IsRequested([first]));
}

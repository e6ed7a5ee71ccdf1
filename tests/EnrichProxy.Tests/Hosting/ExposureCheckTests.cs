using EnrichProxy.Configuration;
using EnrichProxy.Hosting;

namespace EnrichProxy.Tests.Hosting;

public sealed class ExposureCheckTests
{
    [Theory]
    [InlineData("http://localhost:5080", false)]
    [InlineData("http://127.0.0.1:5080", false)]
    [InlineData("http://[::1]:5080", false)]
    [InlineData("http://0.0.0.0:5080", true)]
    [InlineData("http://[::]:5080", true)]
    [InlineData("http://*:5080", true)]
    [InlineData("http://+:5080", true)]
    [InlineData("https://192.168.1.5:443", true)]
    [InlineData("http://proxy.lan:5080", true)]
    public void IsBeyondThisMachine_TellsLoopbackFromEverythingElse(string address, bool expected) =>
        Assert.Equal(expected, ExposureCheck.IsBeyondThisMachine(address));

    [Fact]
    public void Missing_NamesWhatAnExposedProxyLacks()
    {
        Assert.Empty(ExposureCheck.Missing(new EnrichProxyOptions()));
        // A set password is always required: AllowAnonymous then opens nothing.
        Assert.Empty(ExposureCheck.Missing(new EnrichProxyOptions { Webhooks = new WebhookOptions { AllowAnonymous = true, Password = "webhook-secret-0123" } }));

        var open = new EnrichProxyOptions
        {
            Webhooks = new WebhookOptions { AllowAnonymous = true },
            ForwardProxy = new ForwardProxyOptions { Enabled = true },
        };

        Assert.Collection(
            ExposureCheck.Missing(open),
            webhooks => Assert.Contains("Webhooks:AllowAnonymous", webhooks, StringComparison.Ordinal),
            forwardProxy => Assert.Contains("ForwardProxy:Username", forwardProxy, StringComparison.Ordinal));
    }
}

using EnrichProxy.Hosting;
using Microsoft.Extensions.Configuration;

namespace EnrichProxy.Tests.Hosting;

/// <summary>With interception on, every listener is bound in code: the main ones from the settings Kestrel itself reads.</summary>
public sealed class ListenersTests
{
    [Fact]
    public void MainUrls_FromUrls_EachOfThem()
    {
        Assert.Equal(["http://0.0.0.0:5080", "http://[::]:5090"], Listeners.MainUrls(Config(("urls", " http://0.0.0.0:5080 ; http://[::]:5090;"))));
    }

    [Fact]
    public void MainUrls_FromPorts_WhenNoUrls()
    {
        Assert.Equal(["http://*:8080", "http://*:8081", "https://*:8443"], Listeners.MainUrls(Config(("http_ports", "8080;8081"), ("https_ports", "8443"))));
    }

    [Fact]
    public void MainUrls_NothingSet_IsTheDefaultAddress()
    {
        Assert.Equal([DefaultAddress.Url], Listeners.MainUrls(Config()));
    }

    [Fact]
    public void MainUrls_KestrelEndpoints_BindTheirOwn()
    {
        Assert.Empty(Listeners.MainUrls(Config(("Kestrel:Endpoints:main:Url", "http://0.0.0.0:5080"), ("urls", "http://0.0.0.0:6000"))));
    }

    private static IConfiguration Config(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();
}

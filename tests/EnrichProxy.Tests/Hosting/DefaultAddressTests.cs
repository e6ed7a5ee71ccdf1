using EnrichProxy.Hosting;
using Microsoft.Extensions.Configuration;

namespace EnrichProxy.Tests.Hosting;

public sealed class DefaultAddressTests
{
    [Fact]
    public void WithNoAddressConfigured_TheDefaultApplies()
    {
        Assert.True(DefaultAddress.IsUnset(new ConfigurationBuilder().Build()));
    }

    [Theory]
    [InlineData("urls", "http://+:8080")]
    [InlineData("http_ports", "8080")]
    [InlineData("https_ports", "8443")]
    [InlineData("Kestrel:Endpoints:Http:Url", "http://+:8080")]
    public void AnyConfiguredAddress_Wins(string key, string value)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new(key, value)]).Build();

        Assert.False(DefaultAddress.IsUnset(configuration));
    }
}

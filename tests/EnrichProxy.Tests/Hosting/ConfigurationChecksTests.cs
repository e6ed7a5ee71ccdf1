using EnrichProxy.Hosting;

namespace EnrichProxy.Tests.Hosting;

/// <summary>The check a changed configuration passes before it is applied: the start-up check, in a throwaway container.</summary>
public sealed class ConfigurationChecksTests
{
    private static readonly string ShippedFile = Path.Combine(AppContext.BaseDirectory, "config", "appsettings.json");

    [Fact]
    public void TheShippedConfiguration_PassesTheCheck()
    {
        var shipped = new ConfigurationBuilder().AddJsonFile(ShippedFile).Build();

        Assert.Empty(ConfigurationChecks.Check(shipped));
    }

    [Fact]
    public void EveryErrorOfAChangedConfiguration_IsListed()
    {
        var changed = new ConfigurationBuilder().AddJsonFile(ShippedFile).AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["EnrichProxy:Policies:search:Ttl"] = "-00:05:00",
            ["ReverseProxy:Routes:tmdb-movie:Metadata:CachePolicy"] = "no-such-policy",
            ["ReverseProxy:Clusters:fanart:Destinations:default:Address"] = "not a url",
        }).Build();

        var errors = ConfigurationChecks.Check(changed);

        Assert.Contains(errors, e => e.Contains("EnrichProxy:Policies:search:Ttl must be greater than 0", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("unknown policy 'no-such-policy'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("ReverseProxy:Clusters:fanart:Destinations:default:Address must be an absolute http or https URL", StringComparison.Ordinal));
    }

    [Fact]
    public void AValueThatCannotBeRead_IsAnError_NotACrash()
    {
        var changed = new ConfigurationBuilder().AddJsonFile(ShippedFile).AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["EnrichProxy:Policies:search:Ttl"] = "ten minutes",
        }).Build();

        Assert.NotEmpty(ConfigurationChecks.Check(changed));
    }
}

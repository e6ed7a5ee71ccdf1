using EnrichProxy.Caching;
using EnrichProxy.Configuration;
using EnrichProxy.Tests.Support;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;

namespace EnrichProxy.Tests.Caching;

public sealed class CachePolicyRegistryTests
{
    private static readonly CachePolicyRegistry Registry = new(new ChangingOptions<EnrichProxyOptions>(new EnrichProxyOptions
    {
        Policies = new(StringComparer.OrdinalIgnoreCase) { ["tmdb-movie"] = new CachePolicyOptions { Ttl = TimeSpan.FromHours(24) } },
    }));

    [Fact]
    public void Resolve_RouteNamingAPolicy_ReturnsIt()
    {
        var policy = Registry.Resolve(Route(new Dictionary<string, string> { ["CachePolicy"] = "TMDB-MOVIE" }));

        Assert.NotNull(policy);
        Assert.Equal(TimeSpan.FromHours(24), policy.Ttl);
    }

    [Fact]
    public void Resolve_RouteWithoutMetadata_IsNotCached()
    {
        Assert.Null(Registry.Resolve(Route(null)));
        Assert.Null(Registry.Resolve(Route(new Dictionary<string, string> { ["Other"] = "x" })));
    }

    [Fact]
    public void Resolve_UnknownPolicy_IsNotCached()
    {
        // Start-up validation refuses this; at run time the route simply forwards.
        Assert.Null(Registry.Resolve(Route(new Dictionary<string, string> { ["CachePolicy"] = "missing" })));
    }

    private static RouteConfig Route(IReadOnlyDictionary<string, string>? metadata) =>
        new() { RouteId = "r", ClusterId = "c", Match = new RouteMatch { Path = "/x" }, Metadata = metadata };

    [Fact]
    public void AnAcceptedConfigurationChange_ReplacesThePolicies()
    {
        var options = new ChangingOptions<EnrichProxyOptions>(new EnrichProxyOptions
        {
            Policies = new(StringComparer.OrdinalIgnoreCase) { ["tmdb-movie"] = new CachePolicyOptions { Ttl = TimeSpan.FromHours(24) } },
        });
        var registry = new CachePolicyRegistry(options);
        var route = new Yarp.ReverseProxy.Configuration.RouteConfig { RouteId = "r", Metadata = new Dictionary<string, string> { [CachePolicyRegistry.MetadataKey] = "tmdb-movie" } };

        options.Change(new EnrichProxyOptions
        {
            Policies = new(StringComparer.OrdinalIgnoreCase) { ["tmdb-movie"] = new CachePolicyOptions { Ttl = TimeSpan.FromHours(1) } },
        });

        Assert.Equal(TimeSpan.FromHours(1), registry.Resolve(route)?.Ttl);
    }
}

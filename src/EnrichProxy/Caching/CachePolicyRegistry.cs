using EnrichProxy.Configuration;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;

namespace EnrichProxy.Caching;

/// <summary>Resolves the cache policy a route names in its <c>Metadata:CachePolicy</c>.</summary>
internal sealed class CachePolicyRegistry
{
    /// <summary>The route metadata key that names a policy.</summary>
    public const string MetadataKey = "CachePolicy";

    private readonly Dictionary<string, CachePolicy> _policies;

    public CachePolicyRegistry(IOptions<EnrichProxyOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _policies = options.Value.Policies.ToDictionary(
            p => p.Key, p => new CachePolicy(p.Key, p.Value), StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The route's policy, or null when the route is not cached.</summary>
    public CachePolicy? Resolve(RouteConfig route)
    {
        ArgumentNullException.ThrowIfNull(route);
        return route.Metadata is { } metadata
            && metadata.TryGetValue(MetadataKey, out var name)
            && _policies.TryGetValue(name, out var policy)
                ? policy
                : null;
    }
}

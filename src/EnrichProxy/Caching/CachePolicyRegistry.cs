using System.Runtime.CompilerServices;
using EnrichProxy.Caching.Purging;
using EnrichProxy.Configuration;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;

namespace EnrichProxy.Caching;

/// <summary>Resolves the cache policy a route names in its <c>Metadata:CachePolicy</c>.</summary>
internal sealed class CachePolicyRegistry
{
    /// <summary>The route metadata key that names a policy.</summary>
    public const string MetadataKey = "CachePolicy";

    /// <summary>The route metadata key of tag templates added to the policy's, comma-separated.</summary>
    public const string TagsMetadataKey = "CacheTags";

    // Per route configuration object: YARP replaces them when its configuration reloads.
    private readonly ConditionalWeakTable<RouteConfig, IReadOnlyList<TagTemplate>> _routeTags = [];

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

    /// <summary>The tag templates of a route's answers: its policy's and its own (<c>Metadata:CacheTags</c>).</summary>
    public IReadOnlyList<TagTemplate> TagsFor(RouteConfig route, CachePolicy policy)
    {
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(policy);
        return _routeTags.GetValue(route, r => [.. policy.Tags, .. RouteTags(r).Select(TagTemplate.Parse)]);
    }

    /// <summary>The tag templates a route declares in its metadata.</summary>
    public static IEnumerable<string> RouteTags(RouteConfig route)
    {
        ArgumentNullException.ThrowIfNull(route);
        return route.Metadata is { } metadata && metadata.TryGetValue(TagsMetadataKey, out var tags)
            ? tags.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [];
    }
}

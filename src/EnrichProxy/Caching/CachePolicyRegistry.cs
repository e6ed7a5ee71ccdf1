using System.Runtime.CompilerServices;
using EnrichProxy.Caching.Purging;
using EnrichProxy.Configuration;
using EnrichProxy.Upstreams;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;

namespace EnrichProxy.Caching;

/// <summary>
/// The cache policies (<c>EnrichProxy:Policies</c>), built and checked once per configuration, and the one
/// a route names in its <c>Metadata:CachePolicy</c>.
/// </summary>
internal sealed class CachePolicyRegistry
{
    /// <summary>The route metadata key that names a policy.</summary>
    public const string MetadataKey = "CachePolicy";

    /// <summary>The route metadata key of tag templates added to the policy's, comma-separated.</summary>
    public const string TagsMetadataKey = "CacheTags";

    // Per options instance, so that the start-up check and the registry share one build (one parse of every template).
    private static readonly ConditionalWeakTable<EnrichProxyOptions, Built> Builds = [];

    // Per route configuration object: YARP replaces them when its configuration reloads.
    private static readonly ConditionalWeakTable<RouteConfig, ParsedRouteTags> RouteTagCache = [];
    private readonly ConditionalWeakTable<RouteConfig, IReadOnlyList<TagTemplate>> _routeTags = [];

    private volatile IReadOnlyDictionary<string, CachePolicy> _policies;

    /// <summary>The policies as configured now: a change of the configuration that passes its check replaces them.</summary>
    public CachePolicyRegistry(IOptionsMonitor<EnrichProxyOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _policies = Build(options.CurrentValue).Policies;
        options.OnChange(changed => _policies = Build(changed).Policies);
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
        return _routeTags.GetValue(route, r => [.. policy.Tags, .. RouteTags(r).Templates]);
    }

    /// <summary>The policies of <paramref name="options"/> that are valid, and the errors of those that are not.</summary>
    public static Built Build(EnrichProxyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Builds.GetValue(options, CachePolicyRules.Build);
    }

    /// <summary>The tag templates a route declares in its metadata, and those that do not parse.</summary>
    public static ParsedRouteTags RouteTags(RouteConfig route)
    {
        ArgumentNullException.ThrowIfNull(route);
        return RouteTagCache.GetValue(route, static r =>
        {
            var templates = new List<TagTemplate>();
            var errors = new List<string>();
            var declared = r.Metadata is { } metadata && metadata.TryGetValue(TagsMetadataKey, out var tags)
                ? tags.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                : [];
            CachePolicyRules.ParseTags(declared, $"ReverseProxy:Routes:{r.RouteId}:Metadata:{TagsMetadataKey}", templates, errors);
            return new ParsedRouteTags(templates, errors);
        });
    }

    /// <summary>The policies of one configuration and the errors of those left out.</summary>
    internal sealed record Built(IReadOnlyDictionary<string, CachePolicy> Policies, IReadOnlyList<string> Errors);

    /// <summary>A route's own tag templates and the errors of those that do not parse.</summary>
    internal sealed record ParsedRouteTags(IReadOnlyList<TagTemplate> Templates, IReadOnlyList<string> Errors);
}

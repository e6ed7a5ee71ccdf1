using EnrichProxy.Routing;
using EnrichProxy.Upstreams;
using Yarp.ReverseProxy;

namespace EnrichProxy.Caching;

/// <summary>
/// Prepares the reads the proxy makes for itself (the enrichment tiers, prefetch): a path of one of its
/// own cached routes, with the proxy's own credentials and no client attached, so that they share the
/// clients' keys, entries, purges, fills and resilience pipeline.
/// </summary>
internal sealed class ProxyReads(IProxyStateLookup proxyState, CachePolicyRegistry policies, RouteFinder routes, ReadThroughCache cache)
{
    /// <summary>The read of <paramref name="path"/> (and <paramref name="query"/>, with its <c>?</c>) through route <paramref name="routeId"/>.</summary>
    /// <returns>Null when the route does not exist, has no cache policy, or does not match the path.</returns>
    public CacheRead? ForRoute(string routeId, string path, string query)
    {
        if (!proxyState.TryGetRoute(routeId, out var model) || policies.Resolve(model.Config) is not { } policy)
        {
            return null;
        }

        var values = new RouteValueDictionary();
        return routes.PathMatches(model.Config, path, values)
            ? cache.Prepare(model.Config, policy, new UpstreamRequest(routeId, path, query, [], UpstreamAccess.ProxyKey, values))
            : null;
    }

    /// <summary>
    /// The read of <paramref name="path"/> through whichever route would answer a client's GET of it, carrying the
    /// headers that route's policy varies by from <paramref name="headersFrom"/>.
    /// </summary>
    /// <returns>Null when no route answers the path, or the one that does is not cached.</returns>
    public CacheRead? ForPath(string path, string query, UpstreamRequest headersFrom)
    {
        ArgumentNullException.ThrowIfNull(headersFrom);
        if (!routes.TryFind(path, query, out var match) || policies.Resolve(match.Route) is not { } policy)
        {
            return null;
        }

        var headers = policy.VaryByHeaders
            .Select(name => (Name: name, Value: headersFrom.HeaderValue(name)))
            .Where(header => header.Value is not null)
            .Select(header => new KeyValuePair<string, string>(header.Name, header.Value!))
            .ToArray();
        return cache.Prepare(match.Route, policy, new UpstreamRequest(match.Route.RouteId, path, query, headers, UpstreamAccess.ProxyKey, match.Values));
    }
}

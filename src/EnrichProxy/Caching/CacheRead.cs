using EnrichProxy.Upstreams;
using Yarp.ReverseProxy.Configuration;

namespace EnrichProxy.Caching;

/// <summary>One read through the cache: the route and its policy, the request to fetch on a miss (with the caller's credentials), and its key.</summary>
/// <param name="Route">The route the read is of; purges by route and tag look at it.</param>
/// <param name="Policy">The route's cache policy.</param>
/// <param name="Request">What a fill sends upstream, replayable without the caller.</param>
/// <param name="Key">The cache key (<see cref="CacheKeyBuilder"/>).</param>
internal sealed record CacheRead(RouteConfig Route, CachePolicy Policy, UpstreamRequest Request, string Key)
{
    public string RouteId => Route.RouteId;

    /// <summary>Route and path only: the query and headers may carry a client's credentials.</summary>
    public override string ToString() => Request.ToString();
}

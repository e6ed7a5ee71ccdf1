using EnrichProxy.Prefetching;
using EnrichProxy.Upstreams;
using EnrichProxy.Upstreams.Resilience;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Configuration;

namespace EnrichProxy.Caching;

/// <summary>
/// Reads a path of one of the proxy's own cached routes, for work inside the proxy (the enrichment API's
/// tiers): the same key, cache, purges, fills and resilience pipeline as a client's request, with the
/// proxy's own credentials and no client attached.
/// </summary>
internal sealed class CachedRouteReader(
    IProxyStateLookup proxyState, CachePolicyRegistry policies, RouteFinder routes, UpstreamRegistry upstreams, ResponseCache cache, TimeProvider time)
{
    /// <summary>Reads <paramref name="path"/> (and <paramref name="query"/>, with its <c>?</c>) through route <paramref name="routeId"/>.</summary>
    /// <exception cref="InvalidOperationException">The route does not exist, has no cache policy, or does not match the path.</exception>
    /// <exception cref="UpstreamRefusedException">Not sent: paused, rate-limited or circuit open, and nothing stale.</exception>
    /// <exception cref="TimeoutException">The upstream did not answer in time, and nothing stale.</exception>
    /// <exception cref="HttpRequestException">The upstream could not be reached, and nothing stale.</exception>
    public async Task<RouteAnswer> GetAsync(string routeId, string path, string query, CancellationToken cancellationToken)
    {
        if (!proxyState.TryGetRoute(routeId, out var model) || policies.Resolve(model.Config) is not { } policy)
        {
            throw new InvalidOperationException($"Route '{routeId}' does not exist or has no cache policy.");
        }

        var route = model.Config;
        var values = new RouteValueDictionary();
        if (!routes.PathMatches(route, path, values))
        {
            throw new InvalidOperationException($"Route '{routeId}' does not match {path}.");
        }

        var fill = new FillRequest(routeId, path, query, [], UpstreamAccess.ProxyKey, values);
        return await ReadAsync(KeyOf(fill, route, policy), fill, route, policy, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The cache key of <paramref name="fill"/> on <paramref name="route"/>.</summary>
    public string KeyOf(FillRequest fill, RouteConfig route, CachePolicy policy)
    {
        ArgumentNullException.ThrowIfNull(route);
        return CacheKeyBuilder.Build(fill, policy, upstreams.Get(route.ClusterId ?? string.Empty).EffectiveKeyName);
    }

    /// <summary>Reads a prepared <paramref name="fill"/> of <paramref name="route"/>, whose key is <paramref name="key"/>; throws as <see cref="GetAsync"/>.</summary>
    public async Task<RouteAnswer> ReadAsync(string key, FillRequest fill, RouteConfig route, CachePolicy policy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fill);
        ArgumentNullException.ThrowIfNull(policy);
        var path = fill.Path;
        var routeId = fill.RouteId;
        var cached = await cache.LookupAsync(key, fill, route, policy, cancellationToken).ConfigureAwait(false);
        if (cached.HasValue && !cached.Value.IsPassThrough)
        {
            var age = cached.Value.AgeAt(time.GetUtcNow());
            if (age > policy.Ttl && policy.IsWithinStaleWhileRevalidate(age))
            {
                cache.RefreshInBackground(key, fill, policy);
            }

            return RouteAnswer.From(cached.Value, age <= policy.Ttl ? CacheResult.Hit : CacheResult.Stale);
        }

        try
        {
            var outcome = await cache.Fill(key, fill, policy).Outcome.WaitAsync(cancellationToken).ConfigureAwait(false);
            var answer = outcome.PrivateAnswer ?? outcome.Value;
            if (answer.IsPassThrough)
            {
                throw new InvalidOperationException($"The answer of {path} is too large to cache, so it cannot be read through route '{routeId}'.");
            }

            return RouteAnswer.From(answer, answer.AgeAt(time.GetUtcNow()) > policy.Ttl ? CacheResult.Stale : CacheResult.Miss);
        }
        catch (UpstreamFailureException failure)
        {
            return RouteAnswer.From(failure.Answer, CacheResult.Miss);
        }
    }

}

/// <summary>An answer read through a cached route.</summary>
/// <param name="StatusCode">The upstream's status.</param>
/// <param name="Body">The body as the cache keeps it.</param>
/// <param name="Result">Where it came from: the cache (hit, stale) or the upstream (miss).</param>
internal sealed record RouteAnswer(int StatusCode, ReadOnlyMemory<byte> Body, CacheResult Result)
{
    public bool IsSuccess => StatusCode is >= 200 and < 300;

    public static RouteAnswer From(CachedResponse response, CacheResult result) => new(response.StatusCode, response.Body, result);
}

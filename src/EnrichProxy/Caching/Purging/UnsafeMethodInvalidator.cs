using EnrichProxy.Configuration;
using EnrichProxy.Routing;
using EnrichProxy.Upstreams;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Configuration;

namespace EnrichProxy.Caching.Purging;

/// <summary>
/// Invalidation on unsafe methods (RFC 9111 section 4.4): once the upstream has accepted a POST, PUT, PATCH or
/// DELETE through a cached route (2xx or 3xx), the cached reads of its target URI are purged, and those of its
/// <c>Location</c> and <c>Content-Location</c> when they are on the same upstream; for an Arr instance, every
/// library read of the route (the item and the lists that hold it). Purges reach every instance, as an admin's do.
/// </summary>
internal sealed class UnsafeMethodInvalidator(Purger purger, PurgeUrls urls, RouteFinder routes, CachePolicyRegistry policies, UpstreamRegistry upstreams, IProxyStateLookup proxyState)
{
    /// <summary>Whether a request with <paramref name="method"/> may change what the upstream holds.</summary>
    public static bool IsUnsafe(string method) =>
        !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method));

    /// <summary>
    /// Purges what the request changed as its answer starts, if it succeeded: here at once, before the client hears of it,
    /// so that its next read is fresh; stored and announced to the other instances in the background, so that no answer
    /// waits on the purge store.
    /// </summary>
    public void InvalidateWhenAnswered(HttpContext context, RouteConfig route)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(route);
        context.Response.OnStarting(static state =>
        {
            var (invalidator, context, route) = ((UnsafeMethodInvalidator, HttpContext, RouteConfig))state;
            if (context.Response.StatusCode is >= 200 and < 400)
            {
                invalidator.Invalidate(context, route);
            }

            return Task.CompletedTask;
        }, (this, context, route));
    }

    // Each PurgeAsync applies its marker before its first await and never throws (a store it cannot reach is logged).
    private void Invalidate(HttpContext context, RouteConfig route)
    {
        var request = context.Request;
        _ = upstreams.Get(route.ClusterId ?? string.Empty).Kind == UpstreamKind.Arr
            // An edit of one item changes the lists that hold it, whatever their query: the library's reads go, as for a webhook.
            ? purger.PurgeAsync(PurgeScope.Route, route.RouteId)
            : purger.PurgeAsync(PurgeScope.Url, urls.PartOf(request.Path.Value ?? "/", request.QueryString.Value ?? string.Empty));

        var headers = context.Response.Headers;
        foreach (var location in new[] { headers.Location.ToString(), headers[HeaderNames.ContentLocation].ToString() })
        {
            if (location.Length > 0 && SameUpstreamPath(context, route, location) is { } path)
            {
                _ = purger.PurgeAsync(PurgeScope.Url, urls.PartOf(path.Path, path.Query));
            }
        }
    }

    // The client-facing path of a Location on the same upstream: a cached route of the same cluster answers it. The upstream
    // names its own paths (without the route's prefix) or an absolute URL of its own host or of the proxy's.
    private (string Path, string Query)? SameUpstreamPath(HttpContext context, RouteConfig route, string location)
    {
        if (location.Length > 2048)
        {
            return null;
        }

        var request = context.Request;
        Uri uri;
        bool isUpstreamPath;
        if (location.StartsWith('/') && !location.StartsWith("//", StringComparison.Ordinal))
        {
            uri = new Uri(new Uri("http://upstream"), location); // The upstream's own path.
            isUpstreamPath = true;
        }
        else if (Uri.TryCreate(location, UriKind.Absolute, out var absolute))
        {
            if (absolute.Scheme != Uri.UriSchemeHttp && absolute.Scheme != Uri.UriSchemeHttps)
            {
                return null;
            }

            uri = absolute;
            isUpstreamPath = !string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
            if (isUpstreamPath && !IsDestinationOf(route.ClusterId, uri))
            {
                return null; // Another host: not this cache's to purge.
            }
        }
        else if (Uri.TryCreate(new Uri("http://proxy" + request.Path.ToUriComponent()), location, out var relative))
        {
            uri = relative; // Relative to the request: resolved against the path the client used.
            isUpstreamPath = false;
        }
        else
        {
            return null;
        }

        var path = Uri.UnescapeDataString(uri.AbsolutePath);
        var query = uri.Query;
        var candidates = isUpstreamPath && RemovedPrefix(route) is { } prefix ? new[] { prefix.TrimEnd('/') + path, path } : [path];
        foreach (var candidate in candidates)
        {
            if (routes.TryFind(candidate, query, out var match) && match.Route.ClusterId == route.ClusterId && policies.Resolve(match.Route) is not null)
            {
                return (candidate, query);
            }
        }

        return null;
    }

    private bool IsDestinationOf(string? clusterId, Uri uri)
    {
        if (clusterId is null || !proxyState.TryGetCluster(clusterId, out var cluster))
        {
            return false;
        }

        foreach (var destination in cluster.Destinations.Values)
        {
            if (Uri.TryCreate(destination.Model.Config.Address, UriKind.Absolute, out var address)
                && string.Equals(address.Authority, uri.Authority, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static string? RemovedPrefix(RouteConfig route)
    {
        foreach (var transform in route.Transforms ?? [])
        {
            if (transform.TryGetValue("PathRemovePrefix", out var prefix))
            {
                return prefix;
            }
        }

        return null;
    }
}

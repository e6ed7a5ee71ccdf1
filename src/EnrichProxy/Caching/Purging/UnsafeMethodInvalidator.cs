using EnrichProxy.Configuration;
using EnrichProxy.Routing;
using EnrichProxy.Upstreams;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Configuration;
using ZiggyCreatures.Caching.Fusion;

namespace EnrichProxy.Caching.Purging;

/// <summary>
/// Invalidation on unsafe methods (RFC 9111 section 4.4): once the upstream has accepted a POST, PUT, PATCH or
/// DELETE through a cached route (2xx or 3xx), the shared cached reads of its target URI are evicted, and those of its
/// <c>Location</c> and <c>Content-Location</c> when they are on the same upstream; for an Arr instance, every cached
/// read of it is purged (through any of its routes, cached or not: a command changes items too). Both reach every instance (the backplane,
/// the purge store).
/// </summary>
/// <remarks>
/// A URL is evicted, not purged: a purge marker lives as long as the longest policy and the ledger folds past 10,000 of them
/// into "everything", so markers any client could make by the thousand (each a rating it posts) would in the end empty the
/// cache. An eviction leaves nothing behind. An Arr instance's purge is one marker per cached route, however many edits.
/// </remarks>
internal sealed partial class UnsafeMethodInvalidator(
    Purger purger, ProxyReads reads, IFusionCache cache, RouteFinder routes, CachePolicyRegistry policies, UpstreamRegistry upstreams,
    IProxyStateLookup proxyState, ILogger<UnsafeMethodInvalidator> logger)
{
    // This instance's memory only, at once (the client's next read must not find the entry); L2 and the others after.
    private static readonly FusionCacheEntryOptions ThisMemoryOnly = new()
    {
        SkipDistributedCacheRead = true,
        SkipDistributedCacheWrite = true,
        SkipBackplaneNotifications = true,
    };

    /// <summary>Whether a request with <paramref name="method"/> may change what the upstream holds.</summary>
    public static bool IsUnsafe(string method) =>
        !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method));

    /// <summary>
    /// Invalidates what the request changed as its answer starts, if it succeeded: in this instance's memory at once, before
    /// the client hears of it, so that its next read is fresh; in L2 and on the other instances in the background, so that
    /// no answer waits on Redis or the purge store.
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

    private void Invalidate(HttpContext context, RouteConfig route)
    {
        try
        {
            var request = context.Request;
            if (upstreams.Get(route.ClusterId ?? string.Empty).Kind == UpstreamKind.Arr)
            {
                // An edit of one item changes the lists that hold it, whatever their query, and a command or a deleted file
                // changes items: the instance's cached reads go, route by route, as for a webhook. PurgeAsync applies the
                // marker before its first await and never throws.
                foreach (var cached in proxyState.GetRoutes())
                {
                    if (cached.Config.ClusterId == route.ClusterId && policies.Resolve(cached.Config) is not null)
                    {
                        _ = purger.PurgeAsync(PurgeScope.Route, cached.Config.RouteId);
                    }
                }
            }
            else
            {
                Evict(request, request.Path.Value ?? "/", request.QueryString.Value ?? string.Empty);
            }

            var headers = context.Response.Headers;
            foreach (var location in new[] { headers.Location.ToString(), headers[HeaderNames.ContentLocation].ToString() })
            {
                if (location.Length > 0 && SameUpstreamPath(context, route, location) is { } path)
                {
                    Evict(request, path.Path, path.Query);
                }
            }
        }
#pragma warning disable CA1031 // The upstream has accepted the change: its answer must reach the client whatever happens here.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            LogInvalidationFailed(logger, route.RouteId, exception.GetType().Name);
        }
    }

    // The shared entry a GET of the URL reads (with the headers its policy varies by, from the request that changed it).
    private void Evict(HttpRequest request, string path, string query)
    {
        var headers = new List<KeyValuePair<string, string>>(request.Headers.Count);
        foreach (var (name, value) in request.Headers)
        {
            headers.Add(new(name, value.ToString()));
        }

        if (reads.ForPath(path, query, new UpstreamRequest(string.Empty, path, query, headers, UpstreamAccess.ProxyKey)) is not { } read)
        {
            return;
        }

        cache.Remove(read.Key, ThisMemoryOnly);
        _ = cache.RemoveAsync(read.Key, token: CancellationToken.None).AsTask();
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
        if (location.StartsWith('/') && !location.StartsWith("//", StringComparison.Ordinal) && !location.StartsWith("/\\", StringComparison.Ordinal))
        {
            if (!Uri.TryCreate(new Uri("http://upstream"), location, out var upstreamPath))
            {
                return null;
            }

            uri = upstreamPath; // The upstream's own path.
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

    [LoggerMessage(EventId = 3201, EventName = "InvalidationFailed", Level = LogLevel.Warning,
        Message = "Invalidating what an unsafe request through route {RouteId} changed failed ({Error}); the cached reads expire on their own")]
    private static partial void LogInvalidationFailed(ILogger logger, string routeId, string error);
}

using EnrichProxy.Configuration;
using Yarp.ReverseProxy.Configuration;

namespace EnrichProxy.Upstreams;

/// <summary>
/// Where the proxy's own key may go: reads (<c>GET</c>, <c>HEAD</c>) of a route with a cache policy or of a path the
/// cluster's <see cref="UpstreamOptions.KeyPaths"/> lists, and never an account, login or user endpoint (TMDb
/// <c>/account</c>, <c>/authentication</c>, TheTVDB <c>/user</c>), whatever the lists say. Anything else is forwarded
/// with the client's own credentials, as if the proxy had no key: the proxy's key cannot write a list, read an
/// account, or be spent on an endpoint the operator did not mean it for.
/// </summary>
internal static class ProxyKeyScope
{
    /// <summary>The route metadata that names a route's cache policy (as <c>CachePolicyRegistry</c> reads it).</summary>
    public const string CachePolicyMetadataKey = "CachePolicy";

    // Path segments of endpoints about a person rather than the catalogue.
    private static readonly HashSet<string> PersonalSegments = new(StringComparer.OrdinalIgnoreCase)
    {
        "account", "account_states", "authentication", "auth", "session", "guest_session", "login", "logout",
        "user", "users", "favorites", "rated", "watchlist",
    };

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> PersonalSegmentSpans = PersonalSegments.GetAlternateLookup<ReadOnlySpan<char>>();

    public static bool MayUseProxyKey(HttpRequest request, RouteConfig route, UpstreamOptions upstream)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(upstream);
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            return false;
        }

        var path = request.Path.Value ?? "/";
        if (IsPersonal(path))
        {
            return false;
        }

        if (route.Metadata?.ContainsKey(CachePolicyMetadataKey) == true)
        {
            return true;
        }

        foreach (var prefix in upstream.KeyPaths)
        {
            if (path.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether a path has a segment of an account, login or user endpoint.</summary>
    public static bool IsPersonal(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        // The request's path keeps an encoded slash encoded: account%2F1 is two segments to the upstream.
        if (path.Contains('%'))
        {
            path = path.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
        }

        foreach (var range in path.AsSpan().Split('/'))
        {
            if (PersonalSegmentSpans.Contains(path.AsSpan()[range]))
            {
                return true;
            }
        }

        return false;
    }
}

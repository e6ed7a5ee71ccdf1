using System.Collections.Frozen;
using EnrichProxy.Configuration;
using EnrichProxy.Upstreams;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Configuration;

namespace EnrichProxy.Caching;

/// <summary>
/// Tells which requests and routes the fast path may serve: GET or HEAD without any credential header,
/// on routes that match by path and query alone and add no policy of their own (authorization, CORS,
/// rate limits), whose answers are the same for every client.
/// </summary>
internal sealed class SharedRequests
{
    // Credential headers other than Authorization, Cookie and Proxy-Authorization, which are read by their typed properties.
    private readonly string[] _otherCredentialHeaders;
    private readonly string[] _credentialQueryNames;

    public SharedRequests(IOptions<EnrichProxyOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var upstreams = options.Value.Upstreams.Values;
        _otherCredentialHeaders = [.. ClientCredentials.ApiKeyHeaders
            .Concat(ClientCredentials.SessionHeaders)
            .Concat(upstreams.Where(u => u.EffectiveKeyLocation == ApiKeyLocation.Header).Select(u => u.EffectiveKeyName))
            .Where(name => !KnownCredentialHeaders.Contains(name))
            .Distinct(StringComparer.OrdinalIgnoreCase)];
        _credentialQueryNames = [.. ClientCredentials.ApiKeyQueryParameters
            .Concat(ClientCredentials.SessionQueryParameters)
            .Concat(upstreams.Where(u => u.EffectiveKeyLocation == ApiKeyLocation.Query).Select(u => u.EffectiveKeyName))
            .Distinct(StringComparer.OrdinalIgnoreCase)];
    }

    private static readonly FrozenSet<string> KnownCredentialHeaders =
        new[] { HeaderNames.Authorization, HeaderNames.Cookie, HeaderNames.ProxyAuthorization }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>A GET or HEAD that is not an upgrade (YARP tunnels WebSockets). Ranges and conditions are answered from the whole stored answer (<see cref="Http.RequestConditions"/>).</summary>
    public static bool IsCacheableRead(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        // Typed header properties: Kestrel answers them without looking the name up (the fast path's budget is a few hundred ns).
        return (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
            && request.Headers.Upgrade.Count == 0;
    }

    /// <summary>A cacheable read whose headers carry no credential.</summary>
    public bool Qualifies(HttpRequest request)
    {
        if (!IsCacheableRead(request))
        {
            return false;
        }

        var headers = request.Headers;
        if (headers.Authorization.Count > 0 || headers.Cookie.Count > 0 || headers.ProxyAuthorization.Count > 0)
        {
            return false;
        }

        foreach (var name in _otherCredentialHeaders)
        {
            if (headers.ContainsKey(name))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Whether the full pipeline may teach the fast path this request: the answer is the same for every
    /// client (<see cref="UpstreamAccess.AnswersEveryone"/>), and neither the route nor the policy looks at
    /// anything but the target.
    /// </summary>
    public bool MayRemember(HttpRequest request, string rawTarget, RouteConfig route, CachePolicy policy, UpstreamAccess access)
    {
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(access);
        return access.AnswersEveryone
            && policy.VaryByHeaders.Count == 0
            && route.Match.Hosts is null
            && route.Match.Headers is null
            && route.AuthorizationPolicy is null
            && route.CorsPolicy is null
            && route.RateLimiterPolicy is null
            && !HasCredentialParameter(rawTarget)
            && Qualifies(request);
    }

    private bool HasCredentialParameter(string rawTarget)
    {
        var query = rawTarget.IndexOf('?', StringComparison.Ordinal);
        if (query < 0)
        {
            return false;
        }

        foreach (var name in _credentialQueryNames)
        {
            if (rawTarget.AsSpan(query).Contains(name + "=", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}

using System.Collections.Frozen;
using Microsoft.Net.Http.Headers;

namespace EnrichProxy.Upstreams;

/// <summary>
/// Everything needed to fetch an answer from the upstream, captured from the client request once, so
/// that the fetch never touches the client's <see cref="HttpContext"/>: a background refresh or a
/// prefetch replays it without any client.
/// </summary>
/// <param name="RouteId">The YARP route whose transforms shape the upstream request.</param>
/// <param name="Path">The request path as the client sent it (transforms remove the route prefix).</param>
/// <param name="Query">The query string, without the API keys the proxy replaces.</param>
/// <param name="Headers">The request headers sent upstream: those the route's cache varies by, and the client credentials of a partition.</param>
/// <param name="Access">The credential decision the outgoing transform follows.</param>
/// <param name="RouteValues">The values the route matched, for transforms that use them (<c>PathPattern</c>).</param>
internal sealed record UpstreamRequest(
    string RouteId,
    string Path,
    string Query,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    UpstreamAccess Access,
    IReadOnlyDictionary<string, object?>? RouteValues = null)
{
    // What a fill never sends of a client's headers, when it sends the others (an origin-driven policy): hop-by-hop fields, the
    // host and forwarding fields (YARP writes its own), credentials (the access decision sends those it allows), what the cache
    // answers itself (conditions, ranges, encodings: the fill asks for the whole plain answer) and the request directives the
    // cache does not follow, which must not reach the origin as if the cache had asked.
    private static readonly FrozenSet<string> NeverForwarded = new[]
    {
        HeaderNames.Host, HeaderNames.Connection, HeaderNames.KeepAlive, HeaderNames.TE, HeaderNames.Trailer, HeaderNames.TransferEncoding,
        HeaderNames.Upgrade, HeaderNames.ProxyAuthorization, "Proxy-Connection", HeaderNames.ContentLength, HeaderNames.ContentType, HeaderNames.Expect,
        HeaderNames.IfMatch, HeaderNames.IfNoneMatch, HeaderNames.IfModifiedSince, HeaderNames.IfUnmodifiedSince, HeaderNames.IfRange, HeaderNames.Range,
        HeaderNames.AcceptEncoding, HeaderNames.CacheControl, HeaderNames.Pragma, "Forwarded", "X-Forwarded-For", "X-Forwarded-Host",
        "X-Forwarded-Proto", "X-Forwarded-Prefix", "X-Real-IP",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The request of a client, with the headers named by <paramref name="varyByHeaders"/> (or, with <paramref name="allHeaders"/>,
    /// every end-to-end header a fill may send: <see cref="IsForwardedByFills"/>; an operator's choice for a trusted origin) and the
    /// credentials <paramref name="access"/> lets through.
    /// </summary>
    public static UpstreamRequest FromClient(HttpContext context, string routeId, IReadOnlyList<string> varyByHeaders, UpstreamAccess access, bool allHeaders = false)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(varyByHeaders);
        ArgumentNullException.ThrowIfNull(access);

        var request = context.Request;
        var headers = new List<KeyValuePair<string, string>>(varyByHeaders.Count + access.CredentialHeaders.Count);
        if (allHeaders)
        {
            foreach (var (name, value) in request.Headers)
            {
                if (IsForwardedByFills(name))
                {
                    headers.Add(new(name, value.ToString()));
                }
            }
        }
        else
        {
            foreach (var name in varyByHeaders)
            {
                if (request.Headers.TryGetValue(name, out var value))
                {
                    headers.Add(new(name, value.ToString()));
                }
            }
        }

        headers.AddRange(access.CredentialHeaders);
        return new UpstreamRequest(
            routeId,
            request.Path.Value ?? "/",
            request.QueryString.Value ?? string.Empty,
            headers,
            access,
            // A copy: the request's own dictionary is recycled with the HttpContext, and a refresh outlives it.
            request.RouteValues.Count == 0 ? null : new RouteValueDictionary(request.RouteValues));
    }

    /// <summary>Whether a fill that sends its client's headers sends this one (neither hop-by-hop, nor a credential, nor one the cache answers).</summary>
    public static bool IsForwardedByFills(string name) => !NeverForwarded.Contains(name) && !ClientCredentials.IsCredentialHeader(name, configuredKeyName: null);

    /// <summary>The method sent: GET for every cached read; POST for a batch such as Radarr's bulk lookup.</summary>
    public string Method { get; init; } = HttpMethods.Get;

    /// <summary>A JSON body to send (a batch's ids); never part of a cache key.</summary>
    public byte[]? JsonBody { get; init; }

    /// <summary>
    /// A stale answer stands by for this request (a fill past the TTL, within stale-if-error): one attempt and no
    /// retries, so that a failing upstream is answered stale at once instead of after the back-offs.
    /// </summary>
    public bool HasStaleFallback { get; init; }

    /// <summary>Route and path only: the query and headers may carry a client's credentials.</summary>
    public override string ToString() => $"{RouteId} {Path}";

    public string? HeaderValue(string name)
    {
        foreach (var (key, value) in Headers)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }
}

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
    // Past this many characters of header values, a secondary key holds their hash.
    private const int MaxVariantLength = 256;

    public string RouteId => Route.RouteId;

    /// <summary>Whether this read is of one variant of a key whose answers vary (<see cref="ForVariant"/>).</summary>
    public bool IsVariant { get; private init; }

    /// <summary>
    /// The read of this request's variant of a key whose answers vary by the request headers <paramref name="variesBy"/>: its
    /// secondary key adds their values, normalised (RFC 9111 4.1).
    /// </summary>
    public CacheRead ForVariant(IReadOnlyList<string> variesBy)
    {
        ArgumentNullException.ThrowIfNull(variesBy);
        // "name=" and a value for a header the request had, the name alone for one it had not: absent is not empty (RFC 9111 4.1).
        var values = string.Join('&', variesBy.Select(name => Request.HeaderValue(name) is { } value
            ? name + "=" + Http.OriginRules.NormalizedValue(name, value)
            : name));
        if (values.Length > MaxVariantLength)
        {
            values = "#" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(values)));
        }

        return this with { Key = Key + "|vary|" + values, IsVariant = true };
    }

    /// <summary>Route and path only: the query and headers may carry a client's credentials.</summary>
    public override string ToString() => Request.ToString();
}

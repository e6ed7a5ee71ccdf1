namespace EnrichProxy.Configuration;

/// <summary>
/// How the answers of a route are cached (<c>EnrichProxy:Policies:&lt;name&gt;</c>).
/// See the README's "How caching behaves".
/// </summary>
internal sealed class CachePolicyOptions
{
    /// <summary>How long an answer is fresh (a HIT). Required, greater than zero.</summary>
    public TimeSpan Ttl { get; init; }

    /// <summary>After <see cref="Ttl"/>, how long the old answer is served at once (STALE) while one background refresh runs. Default 0.</summary>
    public TimeSpan StaleWhileRevalidate { get; init; }

    /// <summary>After <see cref="Ttl"/>, how long the old answer is served (STALE) while the upstream fails. Default 0.</summary>
    public TimeSpan StaleIfError { get; init; }

    /// <summary>How long a 404 or 410 answer is cached. Default 0: not cached.</summary>
    public TimeSpan NegativeTtl { get; init; }

    /// <summary>When something stale exists, how long a client waits for the upstream before getting the stale answer; the fetch then completes in the background. Default: none.</summary>
    public TimeSpan? SoftTimeout { get; init; }

    /// <summary>The longest a client ever waits for the upstream; past it: stale if any, else 504. Default 30 s.</summary>
    public TimeSpan HardTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Request headers whose values are part of the cache key and sent upstream (for example <c>Accept-Language</c>).</summary>
    public List<string> VaryByHeaders { get; init; } = [];

    /// <summary>Query parameters left out of the cache key (tracking parameters, cache busters).</summary>
    public List<string> IgnoreQueryParameters { get; init; } = [];

    /// <summary>
    /// Who decides how long an answer stays fresh: <see cref="CacheFreshness.Policy"/> (default: <see cref="Ttl"/> and the
    /// stale windows, whatever the origin says) or <see cref="CacheFreshness.Origin"/> (RFC 9111: the origin's
    /// <c>Cache-Control</c>, <c>CDN-Cache-Control</c>, <c>Expires</c>, <c>Age</c> and <c>Vary</c>, with this policy's
    /// <see cref="Ttl"/>, <see cref="StaleWhileRevalidate"/> and <see cref="StaleIfError"/> as upper bounds).
    /// See the README's "HTTP caching".
    /// </summary>
    public CacheFreshness Freshness { get; init; }

    /// <summary>
    /// For <see cref="CacheFreshness.Origin"/>: the client request headers a fill sends upstream besides <see cref="VaryByHeaders"/>,
    /// which an origin's <c>Vary</c> may then key variants by. Default <c>Accept</c> and <c>Accept-Language</c> (image formats,
    /// languages). <c>*</c> sends every end-to-end header, as a forwarding HTTP cache does; only for clients and origins you
    /// trust, since a header the origin reacts to without naming it in <c>Vary</c> then shapes what every client gets.
    /// </summary>
    public List<string> ForwardedRequestHeaders { get; init; } = ["Accept", "Accept-Language"];

    /// <summary>
    /// Cache even when the origin says <c>no-store</c> or <c>no-cache</c> (the Arr APIs say it on every answer).
    /// <c>private</c> and <c>Set-Cookie</c> answers are never shared. Default false.
    /// </summary>
    public bool OverrideOriginCacheControl { get; init; }

    /// <summary>
    /// Tags of the answers, from the route's values: <c>tmdb:movie:{id}</c>. <c>POST /admin/purge {"tag": ...}</c>
    /// purges every answer carrying one. A route without a placeholder's value gives no tag from that template.
    /// </summary>
    public List<string> Tags { get; init; } = [];

    /// <summary>
    /// What to fetch in the background after an answer of this policy came from the upstream: paths of the
    /// proxy's own routes, with placeholders over the answer's JSON (<c>/tmdb/3/collection/{belongs_to_collection.id}</c>;
    /// <c>{seasons[].season_number}</c> fans out over an array) and, in <c>{?language}</c>, query parameters
    /// copied from the request that was answered. A placeholder without a value produces no prefetch.
    /// </summary>
    public List<string> Prefetch { get; init; } = [];

    /// <summary>
    /// The media types an answer with a body must have (<c>application/json</c>; <c>image/*</c> for any image). Another
    /// one (an HTML challenge page where a JSON API is expected) is never stored and counts as an upstream failure:
    /// stale is served instead. Default: any.
    /// </summary>
    public List<string> ExpectedContentTypes { get; init; } = [];

    /// <summary>Bodies larger than this stream through uncached. Default 1 MiB.</summary>
    public long MaxCacheableBytes { get; init; } = 1024 * 1024;
}

namespace EnrichProxy.Configuration;

/// <summary>
/// What EnrichProxy adds to every request it sends to one cluster (<c>EnrichProxy:Upstreams:&lt;cluster&gt;</c>).
/// See the README's "Credentials".
/// </summary>
internal sealed class UpstreamOptions
{
    /// <summary>Decides how client credentials are treated. Default <see cref="UpstreamKind.Metadata"/>.</summary>
    public UpstreamKind Kind { get; init; } = UpstreamKind.Metadata;

    /// <summary>The upstream's key, injected into every request. Never logged, cached or returned.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Where the key goes. Default: a header for Arr instances, a query parameter otherwise.</summary>
    public ApiKeyLocation? ApiKeyLocation { get; init; }

    /// <summary>The query parameter or header name that carries the key. Default <c>api_key</c> (query) or <c>X-Api-Key</c> (header).</summary>
    public string? ApiKeyName { get; init; }

    /// <summary>With <see cref="ApiKeyLocation.Login"/>: the login endpoint, relative to the destination (TheTVDB: <c>v4/login</c>).</summary>
    public string? LoginPath { get; init; }

    /// <summary>With <see cref="ApiKeyLocation.Login"/>: a subscriber PIN sent with the key (TheTVDB user-supported keys). Never logged.</summary>
    public string? LoginPin { get; init; }

    /// <summary>The <c>User-Agent</c> sent upstream, replacing the client's. MusicBrainz requires a real one.</summary>
    public string? UserAgent { get; init; }

    /// <summary>The outbound rate limit. Default: none.</summary>
    public RateLimitOptions RateLimit { get; init; } = new();

    /// <summary>Retries of idempotent requests.</summary>
    public RetryOptions Retry { get; init; } = new();

    /// <summary>The circuit breaker.</summary>
    public CircuitBreakerOptions CircuitBreaker { get; init; } = new();

    /// <summary>Per-attempt and total timeouts.</summary>
    public UpstreamTimeoutOptions Timeouts { get; init; } = new();

    /// <summary>
    /// The cluster's destinations (names under <c>ReverseProxy:Clusters:&lt;cluster&gt;:Destinations</c>) in the order
    /// requests try them: each goes to the first whose circuit is not open and moves down the list when one fails.
    /// Every destination must be listed. Empty (the default): YARP's load balancing picks one and there is no failover.
    /// </summary>
    public string[] FailoverOrder { get; init; } = [];

    /// <summary>
    /// Path prefixes, as clients send them (<c>/tmdb/3/company/</c>), whose reads may carry the proxy's key though no
    /// cache policy covers them. Reads of cached routes always may; writes and account or user endpoints never do.
    /// </summary>
    public string[] KeyPaths { get; init; } = [];

    internal bool HasApiKey => !string.IsNullOrEmpty(ApiKey);

    internal ApiKeyLocation EffectiveKeyLocation =>
        ApiKeyLocation ?? (Kind == UpstreamKind.Arr ? Configuration.ApiKeyLocation.Header : Configuration.ApiKeyLocation.Query);

    internal string EffectiveKeyName => ApiKeyName is { Length: > 0 } name
        ? name
        : EffectiveKeyLocation switch
        {
            Configuration.ApiKeyLocation.Header => "X-Api-Key",
            Configuration.ApiKeyLocation.Bearer or Configuration.ApiKeyLocation.Login => "Authorization",
            _ => "api_key",
        };
}

/// <summary>How an upstream's answers relate to who asks.</summary>
internal enum UpstreamKind
{
    /// <summary>Public metadata (TMDb, TheTVDB, MusicBrainz, Fanart.tv): the answer does not depend on the key, so the proxy's key replaces the client's and every client shares the cache.</summary>
    Metadata,

    /// <summary>An Arr instance: a client must present that instance's key (or the proxy's inbound key) to be answered from the cache.</summary>
    Arr,
}

/// <summary>Where an upstream expects its key.</summary>
internal enum ApiKeyLocation
{
    /// <summary>A query parameter (TMDb <c>api_key</c>, Fanart.tv <c>api_key</c>).</summary>
    Query,

    /// <summary>A request header (Arr <c>X-Api-Key</c>).</summary>
    Header,

    /// <summary><c>Authorization: Bearer &lt;key&gt;</c> (TMDb read access tokens).</summary>
    Bearer,

    /// <summary>
    /// The key is exchanged for a bearer token at <see cref="UpstreamOptions.LoginPath"/> (TheTVDB v4): the
    /// proxy logs in, sends <c>Authorization: Bearer &lt;token&gt;</c>, and logs in again before the token
    /// expires or when the upstream answers 401.
    /// </summary>
    Login,
}

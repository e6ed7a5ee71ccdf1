using Microsoft.Extensions.Options;

namespace EnrichProxy.Configuration;

/// <summary>
/// The <c>EnrichProxy</c> configuration section. Routes and clusters live in YARP's own
/// <c>ReverseProxy</c> section; this section holds what EnrichProxy adds to them.
/// See the README's "Configuration reference".
/// </summary>
internal sealed class EnrichProxyOptions
{
    public const string SectionName = "EnrichProxy";

    /// <summary>Cache policies by name. A route uses one by naming it in <c>Metadata:CachePolicy</c>.</summary>
    public Dictionary<string, CachePolicyOptions> Policies { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Credentials and identity per cluster id, injected into every upstream request.</summary>
    public Dictionary<string, UpstreamOptions> Upstreams { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Redis as the second cache level and backplane. Empty (the default): embedded disk L2.</summary>
    [ValidateObjectMembers]
    public RedisOptions Redis { get; init; } = new();

    /// <summary>Memory (L1) and embedded disk (L2) settings.</summary>
    [ValidateObjectMembers]
    public CacheStorageOptions Cache { get; init; } = new();

    /// <summary>The Arr webhooks that purge what their events touched.</summary>
    [ValidateObjectMembers]
    public WebhookOptions Webhooks { get; init; } = new();

    /// <summary>The enrichment API's document cache.</summary>
    [ValidateObjectMembers]
    public EnrichmentOptions Enrichment { get; init; } = new();

    /// <summary>Where the operator's overrides of the enrichment API are kept.</summary>
    public OverrideStorageOptions Overrides { get; init; } = new();

    /// <summary>The background queue of refreshes, prefetches and warm-up jobs.</summary>
    [ValidateObjectMembers]
    public QueueOptions Queue { get; init; } = new();

    /// <summary>The warm-up of the cache from the Arr libraries.</summary>
    [ValidateObjectMembers]
    public WarmupOptions Warmup { get; init; } = new();

    /// <summary>The forward-proxy listener for apps with built-in metadata hosts: off by default.</summary>
    [ValidateObjectMembers]
    public ForwardProxyOptions ForwardProxy { get; init; } = new();

    /// <summary>The HTTPS listener for metadata host names pointed at the proxy: off by default.</summary>
    public TlsFrontDoorOptions TlsFrontDoor { get; init; } = new();

    /// <summary>The CA of the intercepted hosts' certificates.</summary>
    [ValidateObjectMembers]
    public CertificateAuthorityOptions CertificateAuthority { get; init; } = new();

    /// <summary>Notifications of upstream, L2 and warm-up failures: off until a target is set.</summary>
    [ValidateObjectMembers]
    public NotificationOptions Notifications { get; init; } = new();

    /// <summary>The admin API (<c>/admin/*</c>): off until a key is set.</summary>
    [ValidateObjectMembers]
    public AdminOptions Admin { get; init; } = new();

    /// <summary>
    /// A key clients may present to the Arr routes instead of the instance's own key, so that a
    /// client never needs the real Arr key. Empty (the default): only each instance's key is accepted.
    /// </summary>
    [OptionalSecret(16)]
    public string? InboundApiKey { get; init; }
}

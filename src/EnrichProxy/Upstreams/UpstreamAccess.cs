namespace EnrichProxy.Upstreams;

/// <summary>
/// What the proxy decided about the credentials of one request, kept as a request feature so that
/// the cache key, the upstream request and the outgoing transform all follow the same decision.
/// </summary>
internal sealed class UpstreamAccess
{
    /// <summary>Sent upstream untouched and never answered from the cache (an Arr request without a key).</summary>
    public static readonly UpstreamAccess PassThrough = new(mayUseCache: false, injectProxyKey: false, partition: null, credentialHeaders: []);

    /// <summary>No credentials at all: answers are shared with every client.</summary>
    public static readonly UpstreamAccess Anonymous = new(mayUseCache: true, injectProxyKey: false, partition: null, credentialHeaders: [], answersEveryone: true);

    /// <summary>The proxy's own key replaces the client's (public metadata): answers are shared with every client.</summary>
    public static readonly UpstreamAccess ProxyKey = new(mayUseCache: true, injectProxyKey: true, partition: null, credentialHeaders: [], answersEveryone: true);

    /// <summary>
    /// The client presented the Arr instance's key (or the proxy's inbound key), and the proxy's key is sent:
    /// answers are shared by the clients that present a key, never with one that does not.
    /// </summary>
    public static readonly UpstreamAccess ArrKeyVerified = new(mayUseCache: true, injectProxyKey: true, partition: null, credentialHeaders: []);

    public UpstreamAccess(bool mayUseCache, bool injectProxyKey, string? partition, IReadOnlyList<KeyValuePair<string, string>> credentialHeaders)
        : this(mayUseCache, injectProxyKey, partition, credentialHeaders, answersEveryone: false)
    {
    }

    private UpstreamAccess(bool mayUseCache, bool injectProxyKey, string? partition, IReadOnlyList<KeyValuePair<string, string>> credentialHeaders, bool answersEveryone)
    {
        MayUseCache = mayUseCache;
        InjectProxyKey = injectProxyKey;
        Partition = partition;
        CredentialHeaders = credentialHeaders;
        AnswersEveryone = answersEveryone;
    }

    /// <summary>Whether this request may be answered from, and fill, the cache.</summary>
    public bool MayUseCache { get; }

    /// <summary>Whether the outgoing request carries the proxy's configured key for the cluster.</summary>
    public bool InjectProxyKey { get; }

    /// <summary>
    /// A hash of the client credentials the proxy cannot vouch for: answers are cached in a partition of
    /// their own under it. Null when answers are shared.
    /// </summary>
    public string? Partition { get; }

    /// <summary>Client credential headers that must travel upstream with a request of this partition.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> CredentialHeaders { get; }

    /// <summary>Whether the answer is the same for every client, credential or none: no client credential was involved and no key had to be checked.</summary>
    public bool AnswersEveryone { get; }

    /// <summary>
    /// Whether the upstream request carries a client's own credentials rather than the proxy's or none: a partition's
    /// sent without the proxy's key, or an Arr request passed through untouched. Its answers steer neither the
    /// cluster's shared pause nor its circuit. (A partition sent on the proxy's key, such as a TMDb read with a
    /// <c>session_id</c>, spends the proxy's quota, and does steer them.)
    /// </summary>
    public bool CarriesClientCredentials => !InjectProxyKey && (Partition is not null || ReferenceEquals(this, PassThrough));

    /// <summary>Whether answers may feed work no client asked for (prefetch): they spend no client's own credentials.</summary>
    public bool SpendsNoClientCredential => Partition is null;
}

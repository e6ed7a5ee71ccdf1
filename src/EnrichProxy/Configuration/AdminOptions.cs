namespace EnrichProxy.Configuration;

/// <summary>The admin API (<c>EnrichProxy:Admin</c>).</summary>
internal sealed class AdminOptions
{
    /// <summary>
    /// The key callers send in <c>X-Admin-Key</c>, at least 16 characters. Empty (the default): the admin
    /// API is off and answers 404.
    /// </summary>
    [OptionalSecret(16)]
    public string? ApiKey { get; init; }

    /// <summary>
    /// A second key, for dashboards (Homepage, Homarr) and the status page's figures: it reads <c>GET /admin/stats</c>
    /// and nothing else. At least 16 characters, not the admin key. Empty (the default): only the admin key reads stats.
    /// </summary>
    [OptionalSecret(16)]
    public string? ReadOnlyApiKey { get; init; }

    internal bool IsEnabled => !string.IsNullOrEmpty(ApiKey);

    internal bool IsReadOnlyKeySet => !string.IsNullOrEmpty(ReadOnlyApiKey);
}

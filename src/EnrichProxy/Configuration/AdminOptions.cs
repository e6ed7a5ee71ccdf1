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

    internal bool IsEnabled => !string.IsNullOrEmpty(ApiKey);
}

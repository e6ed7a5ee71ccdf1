namespace EnrichProxy.Configuration;

/// <summary>The Arr webhooks (<c>EnrichProxy:Webhooks</c>): <c>POST /webhooks/radarr|sonarr|lidarr</c>.</summary>
internal sealed class WebhookOptions
{
    /// <summary>The user name the Arr's webhook connection sends (Basic authentication). Default: none.</summary>
    public string? Username { get; init; }

    /// <summary>
    /// The password the Arr's webhook connection sends. Webhooks without these credentials get 401; with no
    /// password set (the default) every webhook does, unless <see cref="AllowAnonymous"/>.
    /// </summary>
    [OptionalSecret(12)]
    public string? Password { get; init; }

    /// <summary>
    /// Accept webhooks without credentials: anyone who can reach the port may then purge library reads and
    /// documents. Only for a network where that is everyone you trust, and only while no password is set (a set
    /// password is always required). Default: false.
    /// </summary>
    public bool AllowAnonymous { get; init; }

    internal bool RequiresCredentials => HasCredentials || !AllowAnonymous;

    internal bool HasCredentials => !string.IsNullOrEmpty(Password);
}

namespace EnrichProxy.Configuration;

/// <summary>The Arr webhooks (<c>EnrichProxy:Webhooks</c>): <c>POST /webhooks/radarr|sonarr|lidarr</c>.</summary>
internal sealed class WebhookOptions
{
    /// <summary>The user name the Arr's webhook connection sends (Basic authentication). Default: none.</summary>
    public string? Username { get; init; }

    /// <summary>
    /// The password the Arr's webhook connection sends. When set, webhooks without these credentials get
    /// 401. Empty (the default): webhooks are accepted from anyone who can reach the proxy.
    /// </summary>
    public string? Password { get; init; }

    internal bool RequiresCredentials => !string.IsNullOrEmpty(Password);
}

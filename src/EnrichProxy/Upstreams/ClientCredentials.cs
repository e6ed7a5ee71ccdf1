using System.Collections.Frozen;
using Microsoft.Net.Http.Headers;

namespace EnrichProxy.Upstreams;

/// <summary>The names under which clients send credentials, by kind.</summary>
internal static class ClientCredentials
{
    /// <summary>Query parameters that carry an API key (TMDb and Fanart.tv <c>api_key</c>, Arr <c>apikey</c>).</summary>
    public static readonly FrozenSet<string> ApiKeyQueryParameters =
        new[] { "api_key", "apikey" }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>Headers that carry an API key.</summary>
    public static readonly FrozenSet<string> ApiKeyHeaders =
        new[] { HeaderNames.Authorization, "X-Api-Key" }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Query parameters that identify a user or a session: never shared between clients, never in a cache key. TMDb's
    /// <c>session_id</c>, <c>guest_session_id</c> and <c>request_token</c>, Fanart.tv's personal <c>client_key</c>.
    /// </summary>
    public static readonly FrozenSet<string> SessionQueryParameters =
        new[] { "session_id", "guest_session_id", "request_token", "access_token", "token", "client_key" }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>Headers that identify a user or a session.</summary>
    public static readonly FrozenSet<string> SessionHeaders =
        new[] { HeaderNames.Cookie }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether a query parameter carries any credential, including the upstream's configured key name.</summary>
    public static bool IsCredentialQueryParameter(string name, string? configuredKeyName) =>
        ApiKeyQueryParameters.Contains(name)
        || SessionQueryParameters.Contains(name)
        || (configuredKeyName is not null && string.Equals(name, configuredKeyName, StringComparison.OrdinalIgnoreCase));

    /// <summary>Whether a header carries any credential, including the upstream's configured key header.</summary>
    public static bool IsCredentialHeader(string name, string? configuredKeyName) =>
        ApiKeyHeaders.Contains(name)
        || SessionHeaders.Contains(name)
        || (configuredKeyName is not null && string.Equals(name, configuredKeyName, StringComparison.OrdinalIgnoreCase));
}

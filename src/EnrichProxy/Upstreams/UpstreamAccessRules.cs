using System.Security.Cryptography;
using System.Text;
using EnrichProxy.Configuration;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.Primitives;

namespace EnrichProxy.Upstreams;

/// <summary>
/// Decides, per request, whose credentials reach the upstream and who may share the answer
/// (README "Credentials"). Client API keys that the proxy replaces are removed from the request here,
/// so neither the forwarded request nor anything derived from it can carry them.
/// </summary>
internal static class UpstreamAccessRules
{
    /// <summary>
    /// The route metadata that marks a metadata API route as the client's own (<c>"UpstreamCredentials": "Client"</c>):
    /// TMDb's v4 lists and accounts need the user's bearer token, which the proxy's key cannot stand in for.
    /// </summary>
    public const string ClientCredentialsMetadataKey = "UpstreamCredentials";

    /// <summary>Whether <paramref name="metadata"/> marks the route as the client's own credentials' (<see cref="ClientCredentialsMetadataKey"/>).</summary>
    public static bool KeepsClientCredentials(IReadOnlyDictionary<string, string>? metadata) =>
        metadata?.TryGetValue(ClientCredentialsMetadataKey, out var value) == true && string.Equals(value, "Client", StringComparison.OrdinalIgnoreCase);

    /// <summary>The decision, or null when the request must be refused with 401 (a wrong Arr key).</summary>
    /// <param name="request">The client request; API keys the proxy replaces are removed from it.</param>
    /// <param name="upstream">The settings of the route's cluster.</param>
    /// <param name="inboundApiKey">The proxy's own key for Arr routes, if any.</param>
    /// <param name="partitionKey">The HMAC key that names credential partitions.</param>
    /// <param name="clientCredentials">
    /// The route is for the client's own credentials (<see cref="ClientCredentialsMetadataKey"/>): on a metadata API, the
    /// client's key is kept and its answers partitioned by it, as when the proxy has no key.
    /// </param>
    public static UpstreamAccess? Decide(HttpRequest request, UpstreamOptions upstream, string? inboundApiKey, byte[] partitionKey, bool clientCredentials = false)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(upstream);

        var keyName = upstream.EffectiveKeyName;
        if (upstream.Kind == UpstreamKind.Arr && upstream.HasApiKey)
        {
            var presented = PresentedApiKey(request, keyName);
            if (presented is null)
            {
                // No key: the Arr instance decides (its own login cookie, or its 401); the cache is never used.
                return UpstreamAccess.PassThrough;
            }

            if (!KeyEquals(presented, upstream.ApiKey!) && (inboundApiKey is null || !KeyEquals(presented, inboundApiKey)))
            {
                return null;
            }

            RemoveApiKeys(request, keyName);
            return UpstreamAccess.ArrKeyVerified;
        }

        if (upstream.HasApiKey && !clientCredentials)
        {
            // Public metadata: the answer does not depend on whose key asks, so ours replaces the client's.
            RemoveApiKeys(request, keyName);
            return PartitionBy(request, keyName, includeApiKeys: false, injectProxyKey: true, partitionKey);
        }

        return PartitionBy(request, keyName, includeApiKeys: true, injectProxyKey: false, partitionKey);
    }

    private static UpstreamAccess PartitionBy(HttpRequest request, string keyName, bool includeApiKeys, bool injectProxyKey, byte[] partitionKey)
    {
        List<KeyValuePair<string, string>>? headers = null;
        List<string>? parts = null;

        foreach (var (name, values) in request.Headers)
        {
            var isCredential = ClientCredentials.SessionHeaders.Contains(name)
                || (includeApiKeys && (ClientCredentials.ApiKeyHeaders.Contains(name) || string.Equals(name, keyName, StringComparison.OrdinalIgnoreCase)));
            if (isCredential)
            {
                var value = values.ToString();
                (headers ??= []).Add(new(name, value));
                (parts ??= []).Add($"h:{name.ToLowerInvariant()}={value}");
            }
        }

        foreach (var (name, values) in request.Query)
        {
            if (ClientCredentials.IsCredentialQueryParameter(name, keyName))
            {
                (parts ??= []).Add($"q:{name.ToLowerInvariant()}={values}");
            }
        }

        if (parts is null)
        {
            return injectProxyKey ? UpstreamAccess.ProxyKey : UpstreamAccess.Anonymous;
        }

        return new UpstreamAccess(mayUseCache: true, injectProxyKey, PartitionName(parts, partitionKey), headers ?? []);
    }

    /// <summary>
    /// A keyed one-way name for a set of credentials: the cache key may carry it, never the credentials,
    /// and without the key nobody can test guesses against it.
    /// </summary>
    private static string PartitionName(List<string> parts, byte[] partitionKey)
    {
        parts.Sort(StringComparer.Ordinal);
        var hash = HMACSHA256.HashData(partitionKey, Encoding.UTF8.GetBytes(string.Join('\n', parts)));
        return Convert.ToHexStringLower(hash.AsSpan(0, 16));
    }

    /// <summary>The key a client presents for an upstream whose key is named <paramref name="keyName"/>: that header or query parameter, <c>X-Api-Key</c>, <c>apikey</c> or <c>api_key</c>.</summary>
    internal static string? PresentedApiKey(HttpRequest request, string keyName)
    {
        if (request.Headers.TryGetValue(keyName, out var header) && !StringValues.IsNullOrEmpty(header))
        {
            return header.ToString();
        }

        if (request.Headers.TryGetValue("X-Api-Key", out header) && !StringValues.IsNullOrEmpty(header))
        {
            return header.ToString();
        }

        foreach (var (name, values) in request.Query)
        {
            if ((ClientCredentials.ApiKeyQueryParameters.Contains(name) || string.Equals(name, keyName, StringComparison.OrdinalIgnoreCase))
                && !StringValues.IsNullOrEmpty(values))
            {
                return values.ToString();
            }
        }

        return null;
    }

    private static void RemoveApiKeys(HttpRequest request, string keyName)
    {
        foreach (var header in ClientCredentials.ApiKeyHeaders)
        {
            request.Headers.Remove(header);
        }

        request.Headers.Remove(keyName);

        if (!request.QueryString.HasValue)
        {
            return;
        }

        var kept = new QueryBuilder();
        var removed = false;
        foreach (var (name, values) in request.Query)
        {
            if (ClientCredentials.ApiKeyQueryParameters.Contains(name) || string.Equals(name, keyName, StringComparison.OrdinalIgnoreCase))
            {
                removed = true;
                continue;
            }

            kept.Add(name, values.ToArray()!);
        }

        if (removed)
        {
            request.QueryString = kept.ToQueryString();
        }
    }

    /// <summary>Compares keys in constant time, their lengths included (the hashes have one length whatever the keys').</summary>
    internal static bool KeyEquals(string presented, string expected) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}

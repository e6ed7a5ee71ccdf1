using System.Text;
using EnrichProxy.Upstreams;

namespace EnrichProxy.Caching;

/// <summary>
/// Builds the cache key: route, method, path, the query sorted with credentials and ignored parameters
/// removed, the headers the policy varies by, and the credential partition (README "How caching behaves").
/// Every part is percent-encoded, so no value can forge the separators of another part: a path with an
/// encoded <c>?</c> or a header value with a <c>|</c> never lands on someone else's key.
/// </summary>
internal static class CacheKeyBuilder
{
    /// <param name="request">The read.</param>
    /// <param name="policy">Its route's policy.</param>
    /// <param name="configuredKeyName">The upstream's own name for its key parameter, left out like the usual ones.</param>
    /// <param name="caseInsensitivePath">The upstream ignores the path's case (the Arr APIs): one key for every casing.</param>
    public static string Build(UpstreamRequest request, CachePolicy policy, string? configuredKeyName = null, bool caseInsensitivePath = false)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(policy);

        var key = new StringBuilder(request.RouteId.Length + request.Path.Length + request.Query.Length + 16);
        var path = caseInsensitivePath ? request.Path.ToLowerInvariant() : request.Path;
        // HEAD is answered from the GET entry, so the method in every key is GET.
        key.Append(Uri.EscapeDataString(request.RouteId)).Append("|GET|").Append(new PathString(path).ToUriComponent());
        AppendQuery(key, request.Query, (Policy: policy, KeyName: configuredKeyName), static (name, state) =>
            ClientCredentials.IsCredentialQueryParameter(name, state.KeyName) || state.Policy.IgnoredQueryParameters.Contains(name));

        foreach (var header in policy.VaryByHeaders)
        {
            key.Append('|').Append(header).Append('=').Append(Uri.EscapeDataString(request.HeaderValue(header)?.Trim() ?? string.Empty));
        }

        if (request.Access.Partition is { } partition)
        {
            key.Append("|p=").Append(partition);
        }

        return key.ToString();
    }

    /// <summary>
    /// The path and query part of the keys of a URL, for purges: the escaped path and the sorted query
    /// without the parameters <paramref name="isLeftOut"/> names. The same text as in <see cref="Build"/> when
    /// the same parameters are left out.
    /// </summary>
    public static string UrlPart(string path, string query, Func<string, bool> isLeftOut)
    {
        var part = new StringBuilder(new PathString(path).ToUriComponent());
        AppendQuery(part, query, isLeftOut, static (name, leftOut) => leftOut(name));
        return part.ToString();
    }

    /// <summary>
    /// <paramref name="query"/> without the parameters <paramref name="policy"/> leaves out of its keys, the others as
    /// the client spelled them: what a key does not hold must not reach the upstream either, or one client's
    /// <c>?append_to_response=EVIL</c> would fill the entry every client of the clean URL gets.
    /// </summary>
    public static string WithoutIgnoredParameters(string query, CachePolicy policy)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(policy);
        var raw = query.AsSpan().TrimStart('?');
        if (policy.IgnoredQueryParameters.Count == 0 || raw.IsEmpty)
        {
            return query;
        }

        var kept = new StringBuilder(query.Length);
        var removed = false;
        foreach (var range in raw.Split('&'))
        {
            var pair = raw[range];
            var equals = pair.IndexOf('=');
            if (!pair.IsEmpty && policy.IgnoredQueryParameters.Contains(Decode(equals < 0 ? pair : pair[..equals])))
            {
                removed = true;
                continue;
            }

            kept.Append(kept.Length == 0 ? '?' : '&').Append(pair);
        }

        return !removed ? query : kept.Length <= 1 ? string.Empty : kept.ToString();
    }

    private static void AppendQuery<TState>(StringBuilder key, string query, TState state, Func<string, TState, bool> isLeftOut)
    {
        var raw = query.AsSpan().TrimStart('?');
        if (raw.IsEmpty)
        {
            return;
        }

        var parameters = new List<(string Name, string Value, int Position)>();
        foreach (var range in raw.Split('&'))
        {
            var pair = raw[range];
            if (pair.IsEmpty)
            {
                continue;
            }

            var equals = pair.IndexOf('=');
            var name = Decode(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? string.Empty : Decode(pair[(equals + 1)..]);
            if (isLeftOut(name, state))
            {
                continue;
            }

            parameters.Add((name, value, parameters.Count));
        }

        if (parameters.Count == 0)
        {
            return;
        }

        // ?b=2&a=1 and ?a=1&b=2 are the same question; ?language=fr&language=en and ?language=en&language=fr are not
        // (an upstream may take the first, or rank them): sorted by name, repeated names keep the client's order.
        parameters.Sort(static (x, y) =>
        {
            var byName = string.CompareOrdinal(x.Name, y.Name);
            return byName != 0 ? byName : x.Position.CompareTo(y.Position);
        });

        var separator = '?';
        foreach (var (name, value, _) in parameters)
        {
            key.Append(separator).Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
            separator = '&';
        }
    }

    private static string Decode(ReadOnlySpan<char> encoded) =>
        Uri.UnescapeDataString(encoded.ToString().Replace('+', ' '));
}

using System.Collections.Frozen;
using Microsoft.Net.Http.Headers;

namespace EnrichProxy.Caching;

/// <summary>Which response headers are stored and replayed, and what the origin's headers allow (README "How caching behaves").</summary>
internal static class HeaderRules
{
    /// <summary>
    /// Never stored: per-connection and per-answer headers the proxy writes itself, and cookies, which
    /// belong to one client.
    /// </summary>
    private static readonly FrozenSet<string> NotStored = new[]
    {
        HeaderNames.SetCookie, HeaderNames.Age, HeaderNames.Date, HeaderNames.ContentLength,
        HeaderNames.TransferEncoding, HeaderNames.Connection, HeaderNames.KeepAlive, HeaderNames.Upgrade,
        HeaderNames.ProxyAuthenticate, HeaderNames.Trailer, HeaderNames.TE, CacheHeaders.XCache,
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    public static bool IsStored(string name) => !NotStored.Contains(name);

    public static CachedHeader[] StoredResponseHeaders(IHeaderDictionary headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var stored = new List<CachedHeader>(headers.Count);
        foreach (var (name, values) in headers)
        {
            if (!IsStored(name))
            {
                continue;
            }

            foreach (var value in values)
            {
                if (value is null)
                {
                    continue;
                }

                stored.Add(new CachedHeader(name, value));
            }
        }

        return [.. stored];
    }

    /// <summary>Whether the origin forbids sharing the answer: <c>no-store</c>, <c>no-cache</c> or <c>private</c>.</summary>
    public static bool OriginForbidsSharing(string? cacheControl, bool overrideNoStore)
    {
        if (string.IsNullOrEmpty(cacheControl) || !CacheControlHeaderValue.TryParse(cacheControl, out var parsed))
        {
            return false;
        }

        // A policy may override no-store and no-cache (the Arr APIs send them on every answer), never private.
        return parsed.Private || (!overrideNoStore && (parsed.NoStore || parsed.NoCache));
    }
}

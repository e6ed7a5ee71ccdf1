using System.Collections.Frozen;
using Microsoft.Net.Http.Headers;

namespace EnrichProxy.Upstreams;

/// <summary>Which headers of an upstream answer are kept to be written again later, to any client (README "How caching behaves").</summary>
internal static class ReplayedHeaders
{
    /// <summary>
    /// Never replayed: per-connection and per-answer headers the proxy writes itself (a cache in front of
    /// the upstream, such as a CDN, sends an <c>X-Cache</c> and a <c>Cache-Status</c> of its own, which speak of the fill's
    /// request, not of the later ones the stored answer serves), and cookies, which belong to one client.
    /// </summary>
    private static readonly FrozenSet<string> NotReplayed = new[]
    {
        HeaderNames.SetCookie, HeaderNames.Age, HeaderNames.Date, HeaderNames.ContentLength,
        HeaderNames.TransferEncoding, HeaderNames.Connection, HeaderNames.KeepAlive, HeaderNames.Upgrade,
        HeaderNames.ProxyAuthenticate, HeaderNames.Trailer, HeaderNames.TE, "X-Cache", "Cache-Status",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    public static bool IsReplayed(string name) => !NotReplayed.Contains(name);

    /// <summary>The headers of an answer that are replayed, as the shared copies of what other answers repeat (<see cref="SharedHeaders"/>).</summary>
    public static ResponseHeader[] From(IHeaderDictionary headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var kept = new List<ResponseHeader>(headers.Count);
        foreach (var (name, values) in headers)
        {
            if (!IsReplayed(name))
            {
                continue;
            }

            foreach (var value in values)
            {
                if (value is not null)
                {
                    kept.Add(new ResponseHeader(name, SharedHeaders.Value(name, value)));
                }
            }
        }

        return SharedHeaders.List([.. kept]);
    }
}

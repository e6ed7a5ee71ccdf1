using System.Collections.Concurrent;
using System.Collections.Frozen;
using Microsoft.Net.Http.Headers;

namespace EnrichProxy.Upstreams;

/// <summary>
/// One copy of what many kept answers repeat: the header values of headers that take a handful of values
/// (Content-Type, Cache-Control, Vary, ...), and whole header lists when they are the same (an upstream's
/// answers without validators). A kept 2 KB answer costs about 1.3 times its size, and a header list of its
/// own was 3% of that. Both pools are bounded: past the bound, values and lists are kept as they are.
/// </summary>
internal static class SharedHeaders
{
    private const int MaxValues = 4096;
    private const int MaxValueLength = 256;
    private const int MaxLists = 1024;

    // Headers whose values repeat across answers; validators and dates (ETag, Last-Modified) do not.
    private static readonly FrozenSet<string> RepeatingHeaders = new[]
    {
        HeaderNames.ContentType, HeaderNames.CacheControl, HeaderNames.Vary, HeaderNames.Server, HeaderNames.ContentLanguage,
        HeaderNames.ContentEncoding, HeaderNames.AccessControlAllowOrigin, HeaderNames.AccessControlAllowHeaders,
        HeaderNames.AccessControlAllowMethods, HeaderNames.AccessControlExposeHeaders, HeaderNames.XContentTypeOptions,
        HeaderNames.XFrameOptions, HeaderNames.StrictTransportSecurity, HeaderNames.AcceptRanges, "Via", "X-Powered-By",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private static readonly ConcurrentDictionary<string, string> Values = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<ResponseHeader[], ResponseHeader[]> Lists = new(HeaderListComparer.Instance);

    /// <summary>The shared copy of a header's value, when it is of a header whose values repeat.</summary>
    public static string Value(string name, string value)
    {
        if (value.Length > MaxValueLength || !RepeatingHeaders.Contains(name))
        {
            return value;
        }

        return Values.TryGetValue(value, out var shared) ? shared
            : Values.Count < MaxValues ? Values.GetOrAdd(value, value)
            : value;
    }

    /// <summary>The shared copy of a header list equal to <paramref name="headers"/>; never to be changed by anyone.</summary>
    public static ResponseHeader[] List(ResponseHeader[] headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        return Lists.TryGetValue(headers, out var shared) ? shared
            : Lists.Count < MaxLists ? Lists.GetOrAdd(headers, headers)
            : headers;
    }

    private sealed class HeaderListComparer : IEqualityComparer<ResponseHeader[]>
    {
        public static readonly HeaderListComparer Instance = new();

        public bool Equals(ResponseHeader[]? x, ResponseHeader[]? y) =>
            ReferenceEquals(x, y) || (x is not null && y is not null && x.AsSpan().SequenceEqual(y));

        public int GetHashCode(ResponseHeader[] headers)
        {
            var hash = new HashCode();
            foreach (var header in headers)
            {
                hash.Add(header);
            }

            return hash.ToHashCode();
        }
    }
}

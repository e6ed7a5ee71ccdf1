using EnrichProxy.Upstreams;
using Microsoft.Net.Http.Headers;

namespace EnrichProxy.Caching.Http;

/// <summary>
/// Revalidation of an expired entry with the upstream (RFC 9111 4.3.1 and 4.3.4): the request carries the entry's
/// validators, and a <c>304 Not Modified</c> answer is the stored answer again, with the headers the 304 sent.
/// </summary>
internal static class Revalidation
{
    // Never taken from a 304: they describe the body it does not have (and the stored body is kept decoded).
    private static readonly HashSet<string> KeptFromStore = new(StringComparer.OrdinalIgnoreCase)
    {
        HeaderNames.ContentLength, HeaderNames.ContentEncoding, HeaderNames.ContentRange, HeaderNames.TransferEncoding,
    };

    /// <summary>
    /// <paramref name="request"/> made conditional on <paramref name="stored"/>'s validators, or null when it has none or is
    /// not an answer worth revalidating (a reminder, a "not found", anything but a 2xx).
    /// </summary>
    public static UpstreamRequest? Conditional(UpstreamRequest request, CachedResponse stored)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(stored);
        if (stored.IsTooLarge || stored.StatusCode is < 200 or >= 300 or StatusCodes.Status206PartialContent)
        {
            return null;
        }

        var etag = stored.Header(HeaderNames.ETag);
        var lastModified = stored.Header(HeaderNames.LastModified);
        if (etag is null && lastModified is null)
        {
            return null;
        }

        List<KeyValuePair<string, string>> headers = [.. request.Headers];
        if (etag is not null)
        {
            headers.Add(new(HeaderNames.IfNoneMatch, etag));
        }

        if (lastModified is not null)
        {
            headers.Add(new(HeaderNames.IfModifiedSince, lastModified));
        }

        return request with { Headers = headers };
    }

    /// <summary>The stored answer brought up to date by a 304: its status and body, the 304's headers replacing those of the same name.</summary>
    public static UpstreamAnswer Refreshed(CachedResponse stored, UpstreamAnswer notModified)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(notModified);
        var updated = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in notModified.Headers)
        {
            if (!KeptFromStore.Contains(header.Name))
            {
                updated.Add(header.Name);
            }
        }

        var headers = new List<ResponseHeader>(stored.Headers.Length + updated.Count);
        headers.AddRange(stored.Headers.Where(header => !updated.Contains(header.Name)));
        headers.AddRange(notModified.Headers.Where(header => updated.Contains(header.Name)));
        return new UpstreamAnswer
        {
            StatusCode = stored.StatusCode,
            Headers = SharedHeaders.List([.. headers]),
            Body = stored.Body,
            SetCookies = notModified.SetCookies,
            SentAt = notModified.SentAt,
            ReceivedAt = notModified.ReceivedAt,
            OriginDate = notModified.OriginDate,
            OriginAge = notModified.OriginAge,
        };
    }
}

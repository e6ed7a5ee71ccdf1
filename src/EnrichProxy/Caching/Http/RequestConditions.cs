using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace EnrichProxy.Caching.Http;

/// <summary>
/// Evaluates a client's conditional headers and <c>Range</c> against a stored answer, in RFC 9110's order
/// (section 13.2.2): <c>If-Match</c>, <c>If-Unmodified-Since</c>, <c>If-None-Match</c>, <c>If-Modified-Since</c>,
/// then <c>Range</c> with <c>If-Range</c>. Only 2xx answers have preconditions, and only a 200 has ranges.
/// </summary>
internal static class RequestConditions
{
    /// <summary>Whether the request carries anything <see cref="Select"/> looks at: typed header checks, for the hit path.</summary>
    public static bool Any(IHeaderDictionary headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        return headers.IfNoneMatch.Count + headers.IfModifiedSince.Count + headers.IfMatch.Count
            + headers.IfUnmodifiedSince.Count + headers.Range.Count > 0;
    }

    public static Selection Select(HttpRequest request, CachedResponse entry)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.StatusCode is < 200 or >= 300)
        {
            return Selection.Full; // RFC 9110 13.2.1: preconditions apply to what would be a 2xx.
        }

        var headers = request.Headers;
        var validators = StoredValidators.Of(entry);
        if (headers.IfMatch.Count > 0)
        {
            if (!MatchesAny(headers.IfMatch, validators.ETag, strong: true))
            {
                return new Selection(SelectionKind.PreconditionFailed);
            }
        }
        else if (TryParseDate(headers.IfUnmodifiedSince, out var unmodifiedSince) && validators.LastModified is { } modified
            && modified > unmodifiedSince)
        {
            return new Selection(SelectionKind.PreconditionFailed);
        }

        var isRead = HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method);
        if (headers.IfNoneMatch.Count > 0)
        {
            if (isRead && MatchesAny(headers.IfNoneMatch, validators.ETag, strong: false))
            {
                return new Selection(SelectionKind.NotModified);
            }
        }
        else if (isRead && TryParseDate(headers.IfModifiedSince, out var modifiedSince)
            && Truncated(validators.LastModified ?? entry.StoredAt) <= modifiedSince)
        {
            // Without a Last-Modified, the time the answer was received stands in for it (RFC 9111 4.3.2).
            return new Selection(SelectionKind.NotModified);
        }

        return HttpMethods.IsGet(request.Method) && entry.StatusCode == StatusCodes.Status200OK && headers.Range.Count > 0
            && IfRangeHolds(headers.IfRange, validators)
            ? ByteRanges.Select(headers.Range, entry.Body.Length)
            : Selection.Full;
    }

    // "*" matches any current representation; otherwise a listed tag must equal the stored one (RFC 9110 8.8.3.2).
    private static bool MatchesAny(StringValues field, EntityTagHeaderValue? stored, bool strong)
    {
        if (!EntityTagHeaderValue.TryParseList(field, out var tags))
        {
            return false;
        }

        foreach (var tag in tags)
        {
            if (tag.Equals(EntityTagHeaderValue.Any) || (stored is not null && tag.Compare(stored, useStrongComparison: strong)))
            {
                return true;
            }
        }

        return false;
    }

    // No If-Range: the range applies. Otherwise only to the very representation the client names: a strong ETag, or the
    // exact Last-Modified date (RFC 9110 13.1.5); anything else gets the whole answer.
    private static bool IfRangeHolds(StringValues field, StoredValidators validators)
    {
        if (field.Count == 0)
        {
            return true;
        }

        var value = field.ToString().Trim();
        if (value.StartsWith('"') || value.StartsWith("W/", StringComparison.Ordinal))
        {
            return EntityTagHeaderValue.TryParse(value, out var tag) && validators.ETag is { } stored && tag.Compare(stored, useStrongComparison: true);
        }

        return HeaderUtilities.TryParseDate(value, out var date) && validators.LastModified == date;
    }

    // One valid HTTP-date, or the field is ignored (RFC 9110 13.1.3, 13.1.4).
    private static bool TryParseDate(StringValues field, out DateTimeOffset date)
    {
        date = default;
        return field.Count == 1 && HeaderUtilities.TryParseDate(field.ToString(), out date);
    }

    // HTTP dates have whole seconds.
    private static DateTimeOffset Truncated(DateTimeOffset time) => new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
}

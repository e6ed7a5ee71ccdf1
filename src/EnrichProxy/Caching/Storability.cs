using EnrichProxy.Caching.Http;
using EnrichProxy.Upstreams;
using Microsoft.Net.Http.Headers;

namespace EnrichProxy.Caching;

/// <summary>What the cache may do with an upstream answer.</summary>
internal enum Storability
{
    /// <summary>Stored for the policy's TTL (2xx, permanent redirects).</summary>
    Fresh,

    /// <summary>Stored for the policy's negative TTL (404, 410).</summary>
    Negative,

    /// <summary>Given to the reads waiting for this fill, not stored (other 4xx, temporary redirects, an unset negative TTL).</summary>
    SharedNotStored,

    /// <summary>
    /// Belongs to the read that caused the fill only (<c>Set-Cookie</c>, <c>private</c>, or <c>no-store</c>/<c>no-cache</c> without the
    /// policy's override; for an origin-driven policy, <c>no-store</c> and a <c>Vary</c> the policy's key does not hold).
    /// </summary>
    Private,

    /// <summary>Larger than the policy's <c>MaxCacheableBytes</c>: a reminder is stored, and every client is forwarded, streaming.</summary>
    TooLarge,

    /// <summary>The upstream failed (5xx, 429, 408): stale if any, else the upstream's answer.</summary>
    UpstreamFailure,
}

/// <summary>Classifies upstream answers (README "How caching behaves").</summary>
internal static class StorabilityRules
{
    public static Storability Classify(UpstreamAnswer answer, CachePolicy policy)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(policy);

        if (answer.IsFailure || !HasAcceptableType(answer, policy.ExpectedContentTypes))
        {
            return Storability.UpstreamFailure;
        }

        if (answer.IsTooLarge)
        {
            return Storability.TooLarge;
        }

        var forRequesterOnly = policy.FollowsOrigin
            ? OriginRules.IsForRequesterOnly(answer, policy)
            : OriginForbidsSharing(answer.Header(HeaderNames.CacheControl), policy.OverrideOriginCacheControl);
        if (answer.HasSetCookie || forRequesterOnly)
        {
            return Storability.Private;
        }

        return answer.StatusCode switch
        {
            200 or 203 or 204 or 300 or 301 or 308 => Storability.Fresh,
            404 or 410 => policy.NegativeTtl > TimeSpan.Zero ? Storability.Negative : Storability.SharedNotStored,
            _ => Storability.SharedNotStored,
        };
    }

    // An answer of an unexpected type is a challenge or error page in the resource's place (Cloudflare's HTML where
    // a JSON API is expected), never stored. A 404 or 410 still says the resource is gone in any other type
    // (image.tmdb.org's is text/plain), but not as an HTML page: that is the error page of whatever stands in front.
    private static bool HasAcceptableType(UpstreamAnswer answer, IReadOnlyList<string> expected) =>
        HasExpectedContentType(answer, expected) || (answer.StatusCode is 404 or 410 && !IsHtml(answer));

    private static bool IsHtml(UpstreamAnswer answer) =>
        MediaType(answer) is { } type && type.Equals("text/html", StringComparison.OrdinalIgnoreCase);

    private static string? MediaType(UpstreamAnswer answer) =>
        answer.Header(HeaderNames.ContentType) is { Length: > 0 } declared && MediaTypeHeaderValue.TryParse(declared, out var parsed)
            ? parsed.MediaType.Value
            : null;

    /// <summary>
    /// Whether an answer is of a media type the policy expects. An answer that declares no type passes (a challenge
    /// page always says it is HTML, and an origin that names none is not refused for it), as do 204 and 304, which
    /// have no content; a declared type that does not parse fails.
    /// </summary>
    public static bool HasExpectedContentType(UpstreamAnswer answer, IReadOnlyList<string> expected)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(expected);
        if (expected.Count == 0 || answer.StatusCode is 204 or 304 || answer.Header(HeaderNames.ContentType) is not { Length: > 0 })
        {
            return true;
        }

        if (MediaType(answer) is not { } mediaType)
        {
            return false;
        }

        foreach (var type in expected)
        {
            var matches = type.EndsWith("/*", StringComparison.Ordinal)
                ? mediaType.StartsWith(type.AsSpan(0, type.Length - 1), StringComparison.OrdinalIgnoreCase)
                : mediaType.Equals(type, StringComparison.OrdinalIgnoreCase);
            if (matches)
            {
                return true;
            }
        }

        return false;
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

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

    /// <summary>Belongs to the read that caused the fill only (<c>Set-Cookie</c>, <c>private</c>, or <c>no-store</c>/<c>no-cache</c> without the policy's override).</summary>
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

        // A 404 or 410 says the resource is gone whatever its body is (image.tmdb.org answers one as text/plain);
        // any other answer of an unexpected type is a challenge or error page in the resource's place.
        var isNotFound = answer.StatusCode is 404 or 410;
        if (answer.IsFailure || (!isNotFound && !HasExpectedContentType(answer, policy.ExpectedContentTypes)))
        {
            return Storability.UpstreamFailure;
        }

        if (answer.IsTooLarge)
        {
            return Storability.TooLarge;
        }

        if (answer.HasSetCookie || OriginForbidsSharing(answer.Header(HeaderNames.CacheControl), policy.OverrideOriginCacheControl))
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

    /// <summary>
    /// Whether an answer's body is of a media type the policy expects: a challenge page (Cloudflare's HTML where a JSON
    /// API is expected) is not the upstream's answer but its failure. An answer without a body or without a declared
    /// type passes: a challenge page always says it is HTML, and an origin that names no type is not refused for it.
    /// </summary>
    public static bool HasExpectedContentType(UpstreamAnswer answer, IReadOnlyList<string> expected)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(expected);
        if (expected.Count == 0 || answer.Body is not { Length: > 0 })
        {
            return true;
        }

        if (answer.Header(HeaderNames.ContentType) is not { Length: > 0 } declared)
        {
            return true;
        }

        if (!MediaTypeHeaderValue.TryParse(declared, out var contentType) || contentType.MediaType.Value is not { } mediaType)
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

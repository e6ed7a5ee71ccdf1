using EnrichProxy.Errors;
using Microsoft.AspNetCore.Http.Features;

namespace EnrichProxy.Hosting;

/// <summary>
/// Refuses request targets no client of a metadata API or an Arr sends, before they reach a route, a cache key or
/// the fast path's map: longer than <see cref="MaxTargetLength"/> characters (HTTP/1.1's request line is bounded by
/// Kestrel at 8 KB already, HTTP/2's <c>:path</c> only by the 32 KB of all headers), or with more than
/// <see cref="MaxQueryParameters"/> query parameters (thousands of <c>&amp;</c> make one URL a thousand spellings;
/// the most a real client sends is an Arr's list of ids, a few hundred). Both get <c>414</c>. Kestrel refuses headers
/// over 32 KB or 100 fields with <c>431</c>.
/// </summary>
internal sealed class RequestTargetLimits(RequestDelegate next)
{
    public const int MaxTargetLength = 8192;
    public const int MaxQueryParameters = 512;

    public Task InvokeAsync(HttpContext context)
    {
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? string.Empty;
        if (target.Length > MaxTargetLength)
        {
            return Refuse(context, $"A request target is at most {MaxTargetLength} characters long.");
        }

        var query = target.IndexOf('?', StringComparison.Ordinal);
        if (query >= 0 && target.AsSpan(query).Count('&') >= MaxQueryParameters)
        {
            return Refuse(context, $"A request has at most {MaxQueryParameters} query parameters.");
        }

        return next(context);
    }

    private static Task Refuse(HttpContext context, string detail) =>
        ProblemResponses.WriteAsync(context, StatusCodes.Status414UriTooLong, "Request target too long", detail);
}

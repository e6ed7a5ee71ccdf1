using System.Collections.Frozen;
using System.Globalization;
using EnrichProxy.Caching.Http;
using EnrichProxy.Errors;
using EnrichProxy.Upstreams;
using Microsoft.Net.Http.Headers;

namespace EnrichProxy.Caching;

/// <summary>
/// Writes a <see cref="CachedResponse"/> to a client: whole, or as the client's conditional headers and range select
/// (304, 412, 206, 416; <see cref="RequestConditions"/>), with <c>X-Cache</c>, <c>Age</c> and <c>Cache-Status</c>.
/// </summary>
internal static class CachedResponseWriter
{
    // What a 304 carries of the stored headers (RFC 9110 15.4.5): what a 200 would send of these, and Last-Modified,
    // which guides the client's cache update. Nothing that describes a body it does not get.
    private static readonly FrozenSet<string> NotModifiedHeaders = new[]
    {
        HeaderNames.CacheControl, HeaderNames.ContentLocation, HeaderNames.ETag, HeaderNames.Expires, HeaderNames.LastModified, HeaderNames.Vary,
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    public static Task WriteAsync(HttpContext context, CachedResponse value, CacheResult result, TimeSpan age, string cacheStatus)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(value);

        // Typed header checks: a plain request costs the hit path a few bit tests, not a parse.
        var selection = RequestConditions.Any(context.Request.Headers) ? RequestConditions.Select(context.Request, value) : Selection.Full;
        if (selection.Kind == SelectionKind.Full)
        {
            return WriteWholeAsync(context, value.StatusCode, value.Headers, value.Body, result, age, cacheStatus);
        }

        var response = context.Response;
        if (selection.Kind is not (SelectionKind.PreconditionFailed or SelectionKind.RangeNotSatisfiable))
        {
            // A 412 or 416 is the proxy's problem answer, not the representation: none of its headers (its max-age least of all).
            WriteHeaders(response, value.Headers, selection.Kind == SelectionKind.NotModified);
        }

        CacheHeaders.Set(response, result, age);
        CacheStatus.Set(response.Headers, cacheStatus);
        switch (selection.Kind)
        {
            case SelectionKind.NotModified:
                response.StatusCode = StatusCodes.Status304NotModified;
                return Task.CompletedTask;
            case SelectionKind.PreconditionFailed:
                return ProblemResponses.WriteAsync(context, StatusCodes.Status412PreconditionFailed, "Precondition failed",
                    "The cached representation does not satisfy If-Match or If-Unmodified-Since.");
            case SelectionKind.RangeNotSatisfiable:
                response.Headers.ContentRange = string.Create(CultureInfo.InvariantCulture, $"bytes */{value.Body.Length}");
                return ProblemResponses.WriteAsync(context, StatusCodes.Status416RangeNotSatisfiable, "Range not satisfiable",
                    $"The representation has {value.Body.Length} bytes; the range asked for lies outside them.");
        }

        // Partial: the one range selected.
        response.StatusCode = StatusCodes.Status206PartialContent;
        response.Headers.ContentRange = string.Create(
            CultureInfo.InvariantCulture, $"bytes {selection.Start}-{selection.Start + selection.Length - 1}/{value.Body.Length}");
        response.ContentLength = selection.Length;
        return response.Body.WriteAsync(value.Body.AsMemory((int)selection.Start, (int)selection.Length)).AsTask();
    }

    /// <summary>
    /// Writes a stored answer whole, to a request without conditions or ranges (or whose conditions select it whole): from its
    /// parts, so that the fast path can write what its target copied of the entry without reading the entry.
    /// </summary>
    public static Task WriteWholeAsync(
        HttpContext context, int statusCode, ResponseHeader[] storedHeaders, byte[] body, CacheResult result, TimeSpan age, string cacheStatus)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = context.Response;
        WriteHeaders(response, storedHeaders, notModified: false);
        CacheHeaders.Set(response, result, age);
        CacheStatus.Set(response.Headers, cacheStatus);
        response.StatusCode = statusCode;
        if (statusCode is StatusCodes.Status204NoContent or StatusCodes.Status304NotModified)
        {
            return Task.CompletedTask;
        }

        response.ContentLength = body.Length;
        // No RequestAborted: Kestrel ends a write to a client that left by itself, and asking for the token
        // makes it create a CancellationTokenSource for every answer.
        return HttpMethods.IsHead(context.Request.Method) || body.Length == 0
            ? Task.CompletedTask
            : response.Body.WriteAsync(body).AsTask();
    }

    private static void WriteHeaders(HttpResponse response, ResponseHeader[] storedHeaders, bool notModified)
    {
        var headers = response.Headers;
        string? previous = null;
        foreach (var header in storedHeaders)
        {
            if (notModified && !NotModifiedHeaders.Contains(header.Name))
            {
                continue;
            }

            // Repeated names (Link, Vary) stand next to each other: append those, set the rest.
            if (string.Equals(header.Name, previous, StringComparison.OrdinalIgnoreCase))
            {
                headers.Append(header.Name, header.Value);
            }
            else
            {
                headers[header.Name] = header.Value;
            }

            previous = header.Name;
        }
    }
}

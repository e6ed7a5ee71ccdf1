namespace EnrichProxy.Caching;

/// <summary>Writes a <see cref="CachedResponse"/> to a client.</summary>
internal static class CachedResponseWriter
{
    public static Task WriteAsync(HttpContext context, CachedResponse value, CacheResult result, TimeSpan age)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(value);

        var response = context.Response;
        response.StatusCode = value.StatusCode;
        var headers = response.Headers;
        string? previous = null;
        foreach (var header in value.Headers)
        {
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

        CacheHeaders.Set(response, result, age);
        if (value.StatusCode is StatusCodes.Status204NoContent or StatusCodes.Status304NotModified)
        {
            return Task.CompletedTask;
        }

        response.ContentLength = value.Body.Length;
        // No RequestAborted: Kestrel ends a write to a client that left by itself, and asking for the token
        // makes it create a CancellationTokenSource for every answer.
        return HttpMethods.IsHead(context.Request.Method) || value.Body.Length == 0
            ? Task.CompletedTask
            : response.Body.WriteAsync(value.Body).AsTask();
    }
}

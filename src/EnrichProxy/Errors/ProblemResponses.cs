namespace EnrichProxy.Errors;

/// <summary>The proxy's own error answers: RFC 9457 problem+json, never carrying upstream secrets.</summary>
internal static class ProblemResponses
{
    public static Task WriteAsync(HttpContext context, int status, string title, string detail, TimeSpan? retryAfter = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Response.HasStarted)
        {
            // Too late for a status: the client sees the connection end, which is the only honest signal left.
            context.Abort();
            return Task.CompletedTask;
        }

        context.Response.StatusCode = status;
        if (retryAfter is { } delay)
        {
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(delay.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return TypedResults.Problem(detail: detail, statusCode: status, title: title).ExecuteAsync(context);
    }
}

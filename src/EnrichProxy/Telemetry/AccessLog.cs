using System.Diagnostics;
using Yarp.ReverseProxy.Model;

namespace EnrichProxy.Telemetry;

/// <summary>
/// The optional access log (<c>EnrichProxy:AccessLog:Enabled</c>, read at start): one line per request, with its
/// method, path, status, cache result (<c>X-Cache</c>), route and duration. Never a query string, a header or a body:
/// those carry keys. First in the pipeline, so fast-path hits are logged too; not in it at all when off.
/// </summary>
internal sealed partial class AccessLog(RequestDelegate next, ILogger<AccessLog> logger)
{
    public const string EnabledKey = "EnrichProxy:AccessLog:Enabled";

    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            if (logger.IsEnabled(LogLevel.Information))
            {
                var route = context.GetEndpoint()?.Metadata.GetMetadata<RouteModel>()?.Config.RouteId
                    ?? context.GetEndpoint()?.DisplayName ?? "-";
                var cache = context.Response.Headers["X-Cache"].ToString();
                var path = LogText.Printable(context.Request.Path.Value);
                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                var routeText = LogText.Printable(route);
                LogRequest(logger, context.Request.Method, path, context.Response.StatusCode, cache.Length == 0 ? "-" : cache, routeText, elapsed);
            }
        }
    }

    [LoggerMessage(EventId = 9201, EventName = "Request", Level = LogLevel.Information,
        Message = "{Method} {Path} {StatusCode} {CacheResult} {Route} {Milliseconds:0.0} ms")]
    private static partial void LogRequest(ILogger logger, string method, string path, int statusCode, string cacheResult, string route, double milliseconds);
}

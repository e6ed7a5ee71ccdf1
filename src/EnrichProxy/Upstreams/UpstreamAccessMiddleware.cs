using EnrichProxy.Caching;
using EnrichProxy.Errors;
using Yarp.ReverseProxy.Model;

namespace EnrichProxy.Upstreams;

/// <summary>
/// First step of the proxy pipeline: applies <see cref="UpstreamAccessRules"/> to every proxied request,
/// cached or not, and refuses a wrong Arr key before anything else sees the request.
/// </summary>
internal sealed partial class UpstreamAccessMiddleware(
    RequestDelegate next, UpstreamRegistry upstreams, ILogger<UpstreamAccessMiddleware> logger)
{
    public Task InvokeAsync(HttpContext context)
    {
        var route = context.GetReverseProxyFeature().Route;
        var clusterId = route.Config.ClusterId ?? string.Empty;
        var access = UpstreamAccessRules.Decide(context.Request, upstreams.Get(clusterId), upstreams.InboundApiKey, upstreams.PartitionKey);
        if (access is null)
        {
            LogWrongArrKey(logger, route.Config.RouteId);
            if (route.Config.Metadata?.ContainsKey(CachePolicyRegistry.MetadataKey) == true)
            {
                CacheHeaders.SetBypass(context.Response);
            }

            return ProblemResponses.WriteAsync(
                context, StatusCodes.Status401Unauthorized, "Invalid API key", "The API key does not match the one configured for this instance.");
        }

        context.Features.Set(access);
        return next(context);
    }

    [LoggerMessage(EventId = 1001, EventName = "WrongArrKey", Level = LogLevel.Information,
        Message = "Refused a request on route {RouteId}: the API key does not match the instance's key")]
    private static partial void LogWrongArrKey(ILogger logger, string routeId);
}

using EnrichProxy.Configuration;
using EnrichProxy.Errors;
using Yarp.ReverseProxy.Configuration;

namespace EnrichProxy.Upstreams;

/// <summary>
/// Applies <see cref="UpstreamAccessRules"/> once per proxied request and keeps the decision as a request
/// feature; refuses a wrong Arr key with a 401 before anything is sent or read from the cache.
/// </summary>
internal sealed partial class UpstreamAccessGate(UpstreamRegistry upstreams, ILogger<UpstreamAccessGate> logger)
{
    /// <summary>The decision for this request, made now unless it was already; null when the request must be refused (<see cref="RefuseAsync"/>).</summary>
    public UpstreamAccess? Decide(HttpContext context, RouteConfig route)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(route);
        if (context.Features.Get<UpstreamAccess>() is { } decided)
        {
            return decided;
        }

        var upstream = upstreams.Get(route.ClusterId ?? string.Empty);
        // A write, an account endpoint or a path nobody listed goes with the client's own credentials. (Only a metadata
        // cluster's key is ever put in place of a client's: an Arr key is checked, not replaced.)
        var clientCredentials = UpstreamAccessRules.KeepsClientCredentials(route.Metadata)
            || (upstream is { Kind: UpstreamKind.Metadata, HasApiKey: true } && !ProxyKeyScope.MayUseProxyKey(context.Request, route, upstream));
        var access = UpstreamAccessRules.Decide(context.Request, upstream, upstreams.InboundApiKey, upstreams.PartitionKey, clientCredentials);
        if (access is null)
        {
            LogWrongArrKey(logger, route.RouteId);
            return null;
        }

        context.Features.Set(access);
        return access;
    }

    /// <summary>The 401 of a key that matches neither the instance's nor the proxy's inbound key.</summary>
    public static Task RefuseAsync(HttpContext context) => ProblemResponses.WriteAsync(
        context, StatusCodes.Status401Unauthorized, "Invalid API key", "The API key does not match the one configured for this instance.");

    [LoggerMessage(EventId = 1001, EventName = "WrongArrKey", Level = LogLevel.Information,
        Message = "Refused a request on route {RouteId}: the API key does not match the instance's key")]
    private static partial void LogWrongArrKey(ILogger logger, string routeId);
}

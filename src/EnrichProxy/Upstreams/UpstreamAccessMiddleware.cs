using Yarp.ReverseProxy.Model;

namespace EnrichProxy.Upstreams;

/// <summary>
/// The step of the proxy pipeline before the forwarder: every proxied request that no earlier step
/// decided for (the cache decides for the reads it answers) gets its <see cref="UpstreamAccess"/> here,
/// and a wrong Arr key its 401.
/// </summary>
internal sealed class UpstreamAccessMiddleware(RequestDelegate next, UpstreamAccessGate gate)
{
    public Task InvokeAsync(HttpContext context) =>
        gate.Decide(context, context.GetReverseProxyFeature().Route.Config) is null ? UpstreamAccessGate.RefuseAsync(context) : next(context);
}

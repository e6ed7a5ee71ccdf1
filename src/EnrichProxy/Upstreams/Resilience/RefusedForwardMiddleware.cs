using Yarp.ReverseProxy.Forwarder;

namespace EnrichProxy.Upstreams.Resilience;

/// <summary>
/// Turns a forwarded request that the upstream did not answer (refused by the resilience pipeline, timed
/// out, unreachable) into a clear problem answer (503 with <c>Retry-After</c>, 504, 502) instead of YARP's
/// bare status.
/// </summary>
internal sealed class RefusedForwardMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        await next(context);
        if (context.Response.HasStarted
            || context.GetForwarderErrorFeature() is not { Error: ForwarderError.Request or ForwarderError.RequestTimedOut, Exception: { } exception }
            || UpstreamProblem.From(exception) is not { } problem)
        {
            return;
        }

        await problem.WriteProblemAsync(context);
    }
}

using EnrichProxy.Errors;
using Yarp.ReverseProxy.Forwarder;

namespace EnrichProxy.Upstreams.Resilience;

/// <summary>
/// Turns a forwarded request that the resilience pipeline did not send, or that timed out, into a clear
/// problem answer (503 with <c>Retry-After</c>, or 504) instead of YARP's bare 502.
/// </summary>
internal sealed class RefusedForwardMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        await next(context).ConfigureAwait(false);
        if (context.Response.HasStarted || context.GetForwarderErrorFeature()?.Exception is not { } exception)
        {
            return;
        }

        switch (exception as UpstreamRefusedException ?? exception.InnerException as UpstreamRefusedException)
        {
            case { } refused:
                await ProblemResponses.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, UpstreamRefusedException.ProblemTitle,
                    refused.ProblemDetail, refused.RetryAfter).ConfigureAwait(false);
                return;
            case null when exception is TimeoutException:
                await ProblemResponses.WriteAsync(context, StatusCodes.Status504GatewayTimeout, "Upstream timeout",
                    "The upstream did not answer in time.").ConfigureAwait(false);
                return;
        }
    }
}

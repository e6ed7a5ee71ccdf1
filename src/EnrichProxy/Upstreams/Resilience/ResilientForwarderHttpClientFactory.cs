using Yarp.ReverseProxy.Forwarder;

namespace EnrichProxy.Upstreams.Resilience;

/// <summary>YARP's client factory, with each cluster's <see cref="ResilienceHandler"/> wrapped around the socket handler.</summary>
internal sealed class ResilientForwarderHttpClientFactory(UpstreamResilienceRegistry resilience, ILogger<ForwarderHttpClientFactory> logger)
    : ForwarderHttpClientFactory(logger)
{
    protected override HttpMessageHandler WrapHandler(ForwarderHttpClientContext context, HttpMessageHandler handler)
    {
        ArgumentNullException.ThrowIfNull(context);
        // Made now, so that every cluster's circuit and pause are known (health, stats, notifications) before its first request.
        _ = resilience.For(context.ClusterId);
        return new ResilienceHandler(resilience, context.ClusterId, base.WrapHandler(context, handler));
    }
}

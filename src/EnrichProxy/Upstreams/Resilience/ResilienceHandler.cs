namespace EnrichProxy.Upstreams.Resilience;

/// <summary>
/// The last handler before the socket in a cluster's HTTP client, so every upstream request, whether
/// YARP forwards it or a cache fill sends it, goes through the cluster's <see cref="ClusterResilience"/>: the one the
/// registry holds at the time, which a change of the cluster's settings replaces.
/// </summary>
internal sealed class ResilienceHandler(UpstreamResilienceRegistry registry, string clusterId, HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        registry.For(clusterId).SendAsync(request, base.SendAsync, cancellationToken);
}

namespace EnrichProxy.Upstreams.Resilience;

/// <summary>
/// The last handler before the socket in a cluster's HTTP client, so every upstream request, whether
/// YARP forwards it or a cache fill sends it, goes through the cluster's <see cref="ClusterResilience"/>.
/// </summary>
internal sealed class ResilienceHandler(ClusterResilience resilience, HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        resilience.SendAsync(request, base.SendAsync, cancellationToken);
}

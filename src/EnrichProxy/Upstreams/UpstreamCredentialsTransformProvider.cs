using EnrichProxy.Configuration;
using EnrichProxy.Upstreams.Resilience;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace EnrichProxy.Upstreams;

/// <summary>
/// Adds to every route the transforms that inject the cluster's key and User-Agent and keep that key out
/// of answers. Because cache fills run the route's transforms too, forwarded and cached requests reach
/// the upstream identically.
/// </summary>
internal sealed class UpstreamCredentialsTransformProvider(UpstreamRegistry upstreams, UpstreamTokens tokens) : ITransformProvider
{
    // Headers that tell an upstream who the client is, or which address it came through.
    private static readonly string[] ForwardingHeaders =
        ["Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Forwarded-Prefix", "X-Forwarded-Port", "X-Real-IP", "X-Original-For"];

    public void ValidateRoute(TransformRouteValidationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var route = context.Route;
        var clusters = context.Services.GetRequiredService<IProxyConfigProvider>().GetConfig().Clusters;
        if (route.ClusterId is null || !clusters.Any(cluster => string.Equals(cluster.ClusterId, route.ClusterId, StringComparison.OrdinalIgnoreCase)))
        {
            context.Errors.Add(new ArgumentException($"ReverseProxy:Routes:{route.RouteId}:ClusterId names the unknown cluster '{route.ClusterId}'."));
        }
    }

    /// <summary>Every destination of a cluster is an absolute http or https URL: fills build their request URLs from it.</summary>
    public void ValidateCluster(TransformClusterValidationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var cluster = context.Cluster;
        if (cluster.Destinations is null || cluster.Destinations.Count == 0)
        {
            context.Errors.Add(new ArgumentException($"ReverseProxy:Clusters:{cluster.ClusterId} has no destination."));
            return;
        }

        foreach (var (destinationId, destination) in cluster.Destinations)
        {
            if (!Uri.TryCreate(destination.Address, UriKind.Absolute, out var address) || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps))
            {
                context.Errors.Add(new ArgumentException($"ReverseProxy:Clusters:{cluster.ClusterId}:Destinations:{destinationId}:Address must be an absolute http or https URL."));
            }
        }
    }

    public void Apply(TransformBuilderContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var clusterId = context.Route.ClusterId;
        if (clusterId is null)
        {
            return;
        }

        // What kind of upstream it is (an Arr, a metadata service) shapes the route once; changing it needs a restart.
        var upstream = upstreams.Get(clusterId);
        // The resilience pipeline lets only requests on the proxy's credentials (or none) steer the cluster's shared state.
        context.AddRequestTransform(transform =>
        {
            if (transform.HttpContext.Features.Get<UpstreamAccess>() is { CarriesClientCredentials: true })
            {
                UpstreamRequestOptions.MarkClientCredentials(transform.ProxyRequest);
            }

            return ValueTask.CompletedTask;
        });
        if (upstream.Kind == UpstreamKind.Metadata)
        {
            // Public metadata services have no use for our clients' addresses: none added, and none a client sent passed on.
            context.UseDefaultForwarders = false;
            foreach (var header in ForwardingHeaders)
            {
                context.AddRequestHeaderRemove(header);
            }
        }

        // Always there, and reading the settings per request: a key, user agent or key location changed in the
        // configuration applies to the next request without YARP rebuilding the route.
        context.RequestTransforms.Add(new InjectCredentialsTransform(upstreams, clusterId, tokens));
        context.ResponseTransforms.Add(new RedactKeyTransform(upstreams, clusterId));
        // A token the upstream no longer takes is dropped: the next request logs in again.
        context.AddResponseTransform(response =>
        {
            if (response.ProxyResponse?.StatusCode == System.Net.HttpStatusCode.Unauthorized
                && response.HttpContext.Items[UpstreamTokens.UsedTokenItem] is string refused)
            {
                tokens.Forget(clusterId, refused);
            }

            return ValueTask.CompletedTask;
        });
    }
}

using EnrichProxy.Configuration;
using Microsoft.Net.Http.Headers;
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
    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var clusterId = context.Route.ClusterId;
        if (clusterId is null)
        {
            return;
        }

        var upstream = upstreams.Get(clusterId);
        if (upstream.Kind == UpstreamKind.Metadata)
        {
            // Public metadata services have no use for our clients' addresses; do not hand them over.
            context.UseDefaultForwarders = false;
        }

        if (upstream.HasApiKey || upstream.UserAgent is { Length: > 0 })
        {
            context.RequestTransforms.Add(new InjectCredentialsTransform(clusterId, upstream, tokens));
        }

        if (upstream.HasApiKey)
        {
            context.ResponseTransforms.Add(new RedactKeyTransform(upstream.ApiKey!));
        }

        if (upstream.HasApiKey && upstream.EffectiveKeyLocation == ApiKeyLocation.Login)
        {
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
}

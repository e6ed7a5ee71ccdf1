using EnrichProxy.Configuration;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace EnrichProxy.Upstreams;

/// <summary>
/// Adds to every route the transform that injects the cluster's key and User-Agent. Because cache fills
/// run the route's transforms too, forwarded and cached requests reach the upstream identically.
/// </summary>
internal sealed class UpstreamCredentialsTransformProvider(UpstreamRegistry upstreams) : ITransformProvider
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
            context.RequestTransforms.Add(new InjectCredentialsTransform(upstream));
        }
    }

    private sealed class InjectCredentialsTransform(UpstreamOptions upstream) : RequestTransform
    {
        public override ValueTask ApplyAsync(RequestTransformContext context)
        {
            var headers = context.ProxyRequest.Headers;
            if (upstream.UserAgent is { Length: > 0 } userAgent)
            {
                headers.Remove(HeaderNames.UserAgent);
                headers.TryAddWithoutValidation(HeaderNames.UserAgent, userAgent);
            }

            if (context.HttpContext.Features.Get<UpstreamAccess>()?.InjectProxyKey == true)
            {
                var key = upstream.ApiKey!;
                switch (upstream.EffectiveKeyLocation)
                {
                    case ApiKeyLocation.Query:
                        context.Query.Collection[upstream.EffectiveKeyName] = key;
                        break;
                    case ApiKeyLocation.Header:
                        headers.Remove(upstream.EffectiveKeyName);
                        headers.TryAddWithoutValidation(upstream.EffectiveKeyName, key);
                        break;
                    case ApiKeyLocation.Bearer:
                        headers.Remove(HeaderNames.Authorization);
                        headers.TryAddWithoutValidation(HeaderNames.Authorization, "Bearer " + key);
                        break;
                }
            }

            return ValueTask.CompletedTask;
        }
    }
}

using EnrichProxy.Configuration;
using EnrichProxy.Errors;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Transforms;

namespace EnrichProxy.Upstreams;

/// <summary>
/// Sets the configured <c>User-Agent</c> and, when <see cref="UpstreamAccess.InjectProxyKey"/> says so,
/// the cluster's key where the upstream expects it.
/// </summary>
internal sealed class InjectCredentialsTransform(UpstreamOptions upstream, UpstreamTokens tokens) : RequestTransform
{
    public override async ValueTask ApplyAsync(RequestTransformContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
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
                case ApiKeyLocation.Login:
                    headers.Remove(HeaderNames.Authorization);
                    if (await tokens.GetAsync(context.HttpContext.GetReverseProxyFeature().Cluster) is not { } token)
                    {
                        // No token, no request: YARP sends nothing once a transform has set the answer, and a fill gives up.
                        await ProblemResponses.WriteAsync(context.HttpContext, StatusCodes.Status502BadGateway, "Upstream login failed",
                            "The proxy could not log in to this upstream with its key; it tries again shortly.");
                        return;
                    }

                    headers.TryAddWithoutValidation(HeaderNames.Authorization, "Bearer " + token);
                    context.HttpContext.Items[UpstreamTokens.UsedTokenItem] = token;
                    break;
            }
        }
    }
}

using EnrichProxy.Configuration;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Transforms;

namespace EnrichProxy.Upstreams;

/// <summary>
/// Sets the configured <c>User-Agent</c> and, when <see cref="UpstreamAccess.InjectProxyKey"/> says so,
/// the cluster's key where the upstream expects it.
/// </summary>
internal sealed class InjectCredentialsTransform(UpstreamOptions upstream) : RequestTransform
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

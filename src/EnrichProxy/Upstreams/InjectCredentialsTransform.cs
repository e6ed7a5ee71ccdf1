using EnrichProxy.Configuration;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Transforms;

namespace EnrichProxy.Upstreams;

/// <summary>
/// Sets the configured <c>User-Agent</c> and, when <see cref="UpstreamAccess.InjectProxyKey"/> says so,
/// the cluster's key where the upstream expects it.
/// </summary>
internal sealed class InjectCredentialsTransform(string clusterId, UpstreamOptions upstream, UpstreamTokens tokens) : RequestTransform
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
                    if (await tokens.GetAsync(clusterId).ConfigureAwait(false) is not { } token)
                    {
                        // No token, no request: the client (or the fill) gets a 502 instead of the upstream's 401.
                        context.HttpContext.Response.StatusCode = StatusCodes.Status502BadGateway;
                        return;
                    }

                    headers.TryAddWithoutValidation(HeaderNames.Authorization, "Bearer " + token);
                    break;
            }
        }
    }
}

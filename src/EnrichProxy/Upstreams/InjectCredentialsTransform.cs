using EnrichProxy.Configuration;
using EnrichProxy.Errors;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Transforms;

namespace EnrichProxy.Upstreams;

/// <summary>
/// Sets the configured <c>User-Agent</c> and, when <see cref="UpstreamAccess.InjectProxyKey"/> says so,
/// the cluster's key where the upstream expects it. The settings are read per request: a configuration change applies
/// to the next one, whatever YARP has rebuilt.
/// </summary>
internal sealed class InjectCredentialsTransform(UpstreamRegistry upstreams, string clusterId, UpstreamTokens tokens) : RequestTransform
{
    /// <summary>The <see cref="HttpContext.Items"/> key of the API key a request was sent with.</summary>
    public static readonly object SentKeyItem = new();

    /// <summary>The keys an answer must not show: the one its request was sent with, and the one configured now.</summary>
    public static IReadOnlyList<string> KeysToRedact(HttpContext context, UpstreamOptions current)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(current);
        var sent = context.Items[SentKeyItem] as string;
        var configured = current.HasApiKey ? current.ApiKey : null;
        return [.. new[] { sent, configured }.OfType<string>().Distinct(StringComparer.Ordinal)];
    }

    public override async ValueTask ApplyAsync(RequestTransformContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var upstream = upstreams.Get(clusterId);
        var headers = context.ProxyRequest.Headers;
        if (upstream.HasApiKey)
        {
            // Answers come plain, so that one echoing the key can be checked for it (a compressed body would hide it).
            headers.Remove(HeaderNames.AcceptEncoding);
        }

        if (upstream.UserAgent is { Length: > 0 } userAgent)
        {
            headers.Remove(HeaderNames.UserAgent);
            headers.TryAddWithoutValidation(HeaderNames.UserAgent, userAgent);
        }

        if (upstream.HasApiKey && context.HttpContext.Features.Get<UpstreamAccess>()?.InjectProxyKey == true)
        {
            var key = upstream.ApiKey!;
            // The key this request carries: its answer is checked for it even if the configuration changes meanwhile.
            context.HttpContext.Items[SentKeyItem] = key;
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

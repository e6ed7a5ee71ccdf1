using System.Net;
using EnrichProxy.Errors;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Model;
using Yarp.ReverseProxy.Transforms;

namespace EnrichProxy.Upstreams;

/// <summary>
/// Keeps the cluster's key out of every forwarded answer: header values (a <c>Location</c> that repeats the request
/// URL) and bodies of any status and size (an error that echoes the request, an Arr's <c>/config/host</c> that holds
/// its own key): the answer's content is replaced with a <see cref="RedactingStream"/> over it, which YARP then copies
/// as it copies any body. The request went without <c>Accept-Encoding</c> (<see cref="UpstreamCredentialsTransformProvider"/>),
/// so bodies come plain; one encoded anyway is decoded to be checked (gzip, deflate, br) and refused when it cannot
/// be. Cache fills redact the bodies they store themselves.
/// </summary>
internal sealed class RedactKeyTransform(UpstreamRegistry upstreams, string clusterId) : ResponseTransform
{
    public override async ValueTask ApplyAsync(ResponseTransformContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        // The key the request was sent with and the one configured now: a configuration change in between hides neither.
        var secrets = InjectCredentialsTransform.KeysToRedact(context.HttpContext, upstreams.Get(clusterId));
        if (secrets.Count == 0)
        {
            return;
        }

        var response = context.HttpContext.Response;
        foreach (var secret in secrets)
        {
            RedactHeaders(response.Headers, secret);
        }

        if (context.ProxyResponse is not { } proxyResponse
            || !HasBody(context.HttpContext.Request.Method, proxyResponse.StatusCode)
            || context.HttpContext.Features.Get<IReverseProxyFeature>() is FillProxyFeature)
        {
            return;
        }

        var upstream = await proxyResponse.Content.ReadAsStreamAsync(context.CancellationToken);
        if (ContentDecoding.IsPlain(proxyResponse.Content.Headers))
        {
            proxyResponse.Content = new StreamContent(Redacting(upstream, secrets));
            return;
        }

        if (ContentDecoding.Decode(proxyResponse.Content.Headers, upstream) is not { } decoded)
        {
            await upstream.DisposeAsync();
            context.SuppressResponseBody = true;
            await RefuseAsync(context);
            return;
        }

        // Decoded to be checked, the body goes to the client plain, its length unknown until the end.
        response.Headers.Remove(HeaderNames.ContentEncoding);
        response.Headers.Remove(HeaderNames.ContentLength);
        proxyResponse.Content = new StreamContent(Redacting(decoded, secrets));
    }

    private static Stream Redacting(Stream body, IReadOnlyList<string> secrets)
    {
        foreach (var secret in secrets)
        {
            body = new RedactingStream(body, secret);
        }

        return body;
    }

    private static void RedactHeaders(IHeaderDictionary headers, string secret)
    {
        // Names first, then the rewrite: a header dictionary must not change while it is enumerated.
        List<string>? echoing = null;
        foreach (var (name, values) in headers)
        {
            foreach (var value in values)
            {
                if (value is not null && value.Contains(secret, StringComparison.Ordinal))
                {
                    (echoing ??= []).Add(name);
                    break;
                }
            }
        }

        foreach (var name in echoing ?? [])
        {
            headers[name] = new([.. headers[name].Select(value => SecretRedactor.Redact(value ?? string.Empty, secret))]);
        }
    }

    private static bool HasBody(string method, HttpStatusCode status) =>
        !HttpMethods.IsHead(method) && (int)status >= 200 && status is not HttpStatusCode.NoContent and not HttpStatusCode.NotModified;

    // An encoding the proxy cannot read might hide the key: the answer is not passed on.
    private static Task RefuseAsync(ResponseTransformContext context)
    {
        context.HttpContext.Response.Headers.Clear();
        return ProblemResponses.WriteAsync(context.HttpContext, StatusCodes.Status502BadGateway, "Bad Gateway",
            "The upstream answered in an encoding the proxy cannot check for its key.");
    }
}

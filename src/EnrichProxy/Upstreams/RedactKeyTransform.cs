using Yarp.ReverseProxy.Model;
using Yarp.ReverseProxy.Transforms;

namespace EnrichProxy.Upstreams;

/// <summary>
/// Keeps the cluster's key out of every answer: header values (a <c>Location</c> that repeats the
/// request URL) always, and the body of forwarded error answers up to <see cref="MaxBufferedErrorBytes"/>
/// (larger ones stream on unchanged).
/// Cache fills redact the bodies they store themselves.
/// </summary>
internal sealed class RedactKeyTransform(string secret) : ResponseTransform
{
    /// <summary>Error bodies up to this size are read whole to be redacted; larger ones stream as they are.</summary>
    public const long MaxBufferedErrorBytes = 64 * 1024;

    public override async ValueTask ApplyAsync(ResponseTransformContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = context.HttpContext.Response;
        // Names first, then the rewrite: a header dictionary must not change while it is enumerated.
        List<string>? echoing = null;
        foreach (var (name, values) in response.Headers)
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
            response.Headers[name] = new([.. response.Headers[name].Select(value => SecretRedactor.Redact(value ?? string.Empty, secret))]);
        }

        if (context.ProxyResponse is not { } proxyResponse
            || (int)proxyResponse.StatusCode < 400
            || proxyResponse.Content.Headers.ContentLength > MaxBufferedErrorBytes
            || context.HttpContext.Features.Get<IReverseProxyFeature>() is FillProxyFeature)
        {
            return;
        }

        // Read the error body (length announced or not) up to the limit; a larger one streams on as it is.
        var upstream = await proxyResponse.Content.ReadAsStreamAsync(context.CancellationToken);
        // One byte more than the announced (or largest) size tells a body that runs on past it.
        var buffer = new byte[(proxyResponse.Content.Headers.ContentLength ?? MaxBufferedErrorBytes) + 1];
        var length = await upstream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, context.CancellationToken);
        context.SuppressResponseBody = true;
        if (length == buffer.Length)
        {
            response.ContentLength = proxyResponse.Content.Headers.ContentLength;
            await response.Body.WriteAsync(buffer.AsMemory(0, length), context.CancellationToken);
            await upstream.CopyToAsync(response.Body, context.CancellationToken);
            return;
        }

        var body = SecretRedactor.Redact(buffer[..length], secret);
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, context.CancellationToken);
    }
}

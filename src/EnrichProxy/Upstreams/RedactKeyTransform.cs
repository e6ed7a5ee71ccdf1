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
        foreach (var (name, values) in response.Headers)
        {
            if (values.ToString().Contains(secret, StringComparison.Ordinal))
            {
                response.Headers[name] = new([.. values.Select(value => SecretRedactor.Redact(value ?? string.Empty, secret))]);
            }
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
        var buffer = new byte[MaxBufferedErrorBytes + 1];
        var length = await upstream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, context.CancellationToken);
        context.SuppressResponseBody = true;
        if (length > MaxBufferedErrorBytes)
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

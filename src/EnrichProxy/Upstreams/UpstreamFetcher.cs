using System.Net;
using System.Net.Http.Headers;
using EnrichProxy.Upstreams.Resilience;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace EnrichProxy.Upstreams;

/// <summary>
/// Fetches one <see cref="UpstreamRequest"/> from its upstream through the route's transforms and the
/// cluster's HTTP client, exactly as YARP would forward it, but with no client attached: the same
/// fetch serves client misses, background refreshes and prefetches.
/// </summary>
internal sealed partial class UpstreamFetcher(
    IProxyStateLookup proxyState, UpstreamRegistry upstreams, IServiceProvider services, TimeProvider time, ILogger<UpstreamFetcher> logger) : IUpstreamFetcher
{
    private static readonly TimeSpan DefaultActivityTimeout = TimeSpan.FromSeconds(100);

    public bool IsKnownFailing(string routeId)
    {
        if (!proxyState.TryGetRoute(routeId, out var route) || route.Cluster is not { } cluster)
        {
            return false;
        }

        return services.GetRequiredService<UpstreamResilienceRegistry>().For(cluster.ClusterId).IsKnownFailing;
    }

    public async Task<UpstreamAnswer> FetchAsync(UpstreamRequest request, long maxBodyBytes, BackgroundPriority? background, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!proxyState.TryGetRoute(request.RouteId, out var route) || route.Cluster is not { } cluster)
        {
            throw new UpstreamUnavailableException($"Route '{request.RouteId}' or its cluster is not configured.");
        }

        var destination = PickDestination(cluster)
            ?? throw new UpstreamUnavailableException($"Cluster '{cluster.ClusterId}' has no available destination.");
        var model = cluster.Model;
        var requestConfig = model.Config.HttpRequest ?? ForwarderRequestConfig.Empty;
        var context = CreateContext(request, route, model, destination);
        var destinationPrefix = destination.Model.Config.Address;

        using var message = new HttpRequestMessage(HttpMethod.Parse(request.Method), (Uri?)null)
        {
            Version = requestConfig.Version ?? HttpVersion.Version20,
            VersionPolicy = requestConfig.VersionPolicy ?? HttpVersionPolicy.RequestVersionOrLower,
        };
        if (request.JsonBody is { } body)
        {
            message.Content = new ByteArrayContent(body) { Headers = { ContentType = new("application/json") } };
        }

        await route.Transformer.TransformRequestAsync(context, message, destinationPrefix, cancellationToken);
        if (context.Response.StatusCode != StatusCodes.Status200OK || context.Response.HasStarted)
        {
            throw new UpstreamUnavailableException($"A transform of route '{request.RouteId}' refused the request.");
        }

        message.RequestUri ??= RequestUtilities.MakeDestinationAddress(destinationPrefix, context.Request.Path, context.Request.QueryString);
        // A stored answer must suit every client whatever encodings it accepts, so fills ask for the plain body.
        message.Headers.AcceptEncoding.Clear();
        if (background is not null)
        {
            UpstreamRequestOptions.MarkBackground(message, background);
        }

        if (request.HasStaleFallback)
        {
            UpstreamRequestOptions.MarkStaleFallback(message);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var activityTimeout = requestConfig.ActivityTimeout ?? DefaultActivityTimeout;
        timeout.CancelAfter(activityTimeout);
        var sentAt = time.GetUtcNow();
        try
        {
            using var response = await model.HttpClient.SendAsync(message, timeout.Token);
            context.Response.StatusCode = (int)response.StatusCode;
            await route.Transformer.TransformResponseAsync(context, response, timeout.Token);
            foreach (var listed in response.Headers.Connection)
            {
                context.Response.Headers.Remove(listed); // Hop-by-hop by the upstream's say (RFC 9110 7.6.1): never stored.
            }

            var secrets = InjectCredentialsTransform.KeysToRedact(context, upstreams.Get(cluster.ClusterId));
            var answerBody = await ReadBodyAsync(response, maxBodyBytes, timeout.Token);
            if (!ContentDecoding.IsPlain(response.Content.Headers))
            {
                // Decoded by ReadBodyAsync: stored and checked for the key plain.
                context.Response.Headers.Remove(HeaderNames.ContentEncoding);
            }

            return new UpstreamAnswer
            {
                StatusCode = (int)response.StatusCode,
                // The route's RedactKeyTransform has already cleaned the headers.
                Headers = ReplayedHeaders.From(context.Response.Headers),
                Body = answerBody is null ? null : secrets.Aggregate(answerBody, (body, secret) => SecretRedactor.Redact(body, secret)),
                SetCookies = [.. context.Response.Headers.SetCookie.OfType<string>()],
                SentAt = sentAt,
                ReceivedAt = time.GetUtcNow(),
                OriginDate = response.Headers.Date,
                OriginAge = FirstAge(response.Headers.NonValidated),
            };
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // A timeout, not a cancellation: FusionCache's fail-safe then answers stale, which it never does on cancellation.
            LogUpstreamTimeout(logger, request.RouteId, cluster.ClusterId, activityTimeout);
            throw new TimeoutException($"The upstream of route '{request.RouteId}' did not answer within {activityTimeout}.");
        }
    }

    // As YARP would for a forwarded request. With a failover order the cluster's handler moves the request to the first
    // destination whose circuit is not open, whichever this picks.
    private static DestinationState? PickDestination(ClusterState cluster)
    {
        var destinations = cluster.DestinationsState.AvailableDestinations;
        return destinations.Count switch
        {
            0 => null,
            1 => destinations[0],
            _ => destinations[Random.Shared.Next(destinations.Count)],
        };
    }

    private DefaultHttpContext CreateContext(UpstreamRequest request, RouteModel route, ClusterModel cluster, DestinationState destination)
    {
        // Transforms may resolve services from the request, as they do on a forwarded one.
        var context = new DefaultHttpContext { RequestServices = services };
        var httpRequest = context.Request;
        httpRequest.Method = request.Method;
        httpRequest.Scheme = "http";
        httpRequest.Path = new PathString(request.Path);
        httpRequest.QueryString = new QueryString(request.Query);
        foreach (var (name, value) in request.Headers)
        {
            httpRequest.Headers.Append(name, value);
        }

        if (request.RouteValues is { } routeValues)
        {
            foreach (var (name, value) in routeValues)
            {
                httpRequest.RouteValues[name] = value;
            }
        }

        context.Features.Set<IReverseProxyFeature>(new FillProxyFeature(route, cluster, destination));
        context.Features.Set(request.Access);
        return context;
    }

    // RFC 9111 5.1: the first member of the first line, a non-negative integer, or nothing at all.
    private static TimeSpan? FirstAge(HttpHeadersNonValidated headers)
    {
        if (!headers.TryGetValues(HeaderNames.Age, out var values))
        {
            return null;
        }

        foreach (var value in values)
        {
            var first = value.Split(',')[0].Trim();
            return long.TryParse(first, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
                ? TimeSpan.FromSeconds(Math.Min(seconds, int.MaxValue))
                : null;
        }

        return null;
    }

    /// <summary>Reads the whole body, or returns null as soon as it proves larger than <paramref name="maxBytes"/>.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpResponseMessage response, long maxBytes, CancellationToken cancellationToken)
    {
        if (response.StatusCode is HttpStatusCode.NotModified or HttpStatusCode.NoContent)
        {
            return []; // No content, whatever Content-Length says (a 304 gives the stored answer's).
        }

        var plain = ContentDecoding.IsPlain(response.Content.Headers);
        // The length of an encoded body says nothing of the decoded one.
        var declared = plain ? response.Content.Headers.ContentLength : null;
        if (declared > maxBytes)
        {
            return null;
        }

        var received = await response.Content.ReadAsStreamAsync(cancellationToken);
        var stream = plain ? received : ContentDecoding.Decode(response.Content.Headers, received)
            ?? throw new UpstreamUnavailableException("The upstream answered in an encoding the proxy cannot read.");
        await using (stream)
        {
            if (declared is { } length)
            {
                // The usual case: read straight into a buffer of the announced size.
                var body = new byte[length];
                await stream.ReadExactlyAsync(body, cancellationToken);
                return body;
            }

            using var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > maxBytes)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
    }

    [LoggerMessage(EventId = 2003, EventName = "UpstreamTimeout", Level = LogLevel.Warning,
        Message = "Fill for route {RouteId} timed out after {Timeout} waiting for cluster {ClusterId}")]
    private static partial void LogUpstreamTimeout(ILogger logger, string routeId, string clusterId, TimeSpan timeout);
}

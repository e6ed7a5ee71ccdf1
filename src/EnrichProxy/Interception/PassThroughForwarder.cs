using System.Net;
using EnrichProxy.Errors;
using Yarp.ReverseProxy.Forwarder;

namespace EnrichProxy.Interception;

/// <summary>
/// Forwards what the forward proxy does not cache, untouched and uncached: plain <c>http://</c> requests for
/// other hosts, and an intercepted host's paths that no cluster answers. Connections follow
/// <see cref="ProxyDestinations"/>' rules, checked on the addresses actually connected to.
/// </summary>
internal sealed class PassThroughForwarder : IDisposable
{
    private static readonly ForwarderRequestConfig RequestConfig = new() { ActivityTimeout = TimeSpan.FromSeconds(100) };
    private readonly IHttpForwarder _forwarder;
    private readonly HttpMessageInvoker _client;
    private readonly InterceptionMetrics _metrics;

    public PassThroughForwarder(IHttpForwarder forwarder, ProxyDestinations destinations, InterceptionMetrics metrics)
    {
        _forwarder = forwarder;
        _metrics = metrics;
        _client = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ActivityHeadersPropagator = null,
            ConnectCallback = async (context, cancellationToken) =>
                new System.Net.Sockets.NetworkStream(await destinations.ConnectAsync(context.DnsEndPoint.Host, context.DnsEndPoint.Port, cancellationToken), ownsSocket: true),
        });
    }

    /// <summary>Forwards the request to <paramref name="origin"/> (<c>scheme://host:port/</c>), answering the client's problems itself.</summary>
    public async Task ForwardAsync(HttpContext context, string origin)
    {
        ArgumentNullException.ThrowIfNull(context);
        var error = await _forwarder.SendAsync(context, origin, _client, RequestConfig, ProxyHeadersRemoved.Instance);
        if (error == ForwarderError.None || context.Response.HasStarted)
        {
            return;
        }

        var exception = context.GetForwarderErrorFeature()?.Exception;
        var refused = FindRefusal(exception);
        if (refused is not null)
        {
            _metrics.Refused(refused.Reason);
        }

        context.Response.Clear();
        await (refused switch
        {
            { Reason: ProxyRefusal.Address } => ProblemResponses.WriteAsync(context, StatusCodes.Status403Forbidden, "Destination refused", refused.Message),
            not null => ProblemResponses.WriteAsync(context, StatusCodes.Status502BadGateway, "Destination refused", refused.Message),
            _ when error == ForwarderError.RequestTimedOut => ProblemResponses.WriteAsync(context, StatusCodes.Status504GatewayTimeout, "Upstream timeout", "The host did not answer in time."),
            _ => ProblemResponses.WriteAsync(context, StatusCodes.Status502BadGateway, "Upstream unavailable", "The host could not be reached."),
        });
    }

    public void Dispose() => _client.Dispose();

    internal static ProxyDestinationRefusedException? FindRefusal(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is ProxyDestinationRefusedException refused)
            {
                return refused;
            }
        }

        return null;
    }

    /// <summary>YARP's default transforms, without the headers meant for this proxy.</summary>
    private sealed class ProxyHeadersRemoved : HttpTransformer
    {
        public static readonly ProxyHeadersRemoved Instance = new();

        public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
        {
            await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
            proxyRequest.Headers.Remove("Proxy-Authorization");
            proxyRequest.Headers.Remove("Proxy-Connection");
        }
    }
}

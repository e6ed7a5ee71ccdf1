using EnrichProxy.Configuration;
using EnrichProxy.Errors;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace EnrichProxy.Interception;

/// <summary>
/// The first step of the pipeline for requests that came in on the forward proxy or the TLS front door. A request
/// for a host some cluster answers (<see cref="HostRoutes"/>) becomes a request of that cluster's prefix routes
/// (<c>https://api.radarr.video/v1/movie/603</c> is answered as <c>/radarr-metadata/movie/603</c>), before the fast
/// path and routing see it, so it shares their cache, policies, coalescing and telemetry. Nothing else on these
/// listeners reaches the proxy's own endpoints: other hosts' <c>http://</c> requests are forwarded untouched, and
/// the rest refused. Requests on the main port pass straight through.
/// </summary>
internal sealed class InterceptedRequests(
    RequestDelegate next,
    HostRoutes hostRoutes,
    ProxyClients clients,
    ProxyDestinations destinations,
    PassThroughForwarder passThrough,
    InterceptionMetrics metrics,
    IOptionsMonitor<EnrichProxyOptions> options)
{
    // The intercept list as configured now, read again when a configuration change replaces it.
    private readonly PerSettings<ForwardProxyOptions, HashSet<string>> _intercepted = new(forwardProxy => [.. InterceptedHosts.Normalize(forwardProxy.InterceptHosts)]);

    public Task InvokeAsync(HttpContext context)
    {
        var listener = context.Features.Get<ProxyListenerFeature>();
        return listener is null ? next(context) : RouteAsync(context, listener);
    }

    private async Task RouteAsync(HttpContext context, ProxyListenerFeature listener)
    {
        var requestHost = InterceptedHosts.Normalize(context.Request.Host.Host);
        switch (listener)
        {
            case { Listener: ProxyListener.FrontDoor }:
                // The certificate was chosen by the name the client asked for (SNI); the request must be for that name.
                var serverName = InterceptedHosts.Normalize(context.Features.Get<ITlsHandshakeFeature>()?.HostName ?? string.Empty);
                await AnswerInterceptedAsync(context, serverName, requestHost, mayForward: false);
                return;
            case { TunnelHost: { } tunnelHost }:
                await AnswerInterceptedAsync(context, tunnelHost, requestHost, mayForward: true);
                return;
            default:
                await AnswerPlainAsync(context, requestHost);
                return;
        }
    }

    // A request inside a tunnel (or at the front door) whose TLS the proxy terminated for `host`.
    private async Task AnswerInterceptedAsync(HttpContext context, string host, string requestHost, bool mayForward)
    {
        if (host.Length == 0 || requestHost != host)
        {
            metrics.Refused(ProxyRefusal.Misdirected);
            await ProblemResponses.WriteAsync(context, StatusCodes.Status421MisdirectedRequest, "Misdirected request",
                "The request's Host is not the host this connection was opened for.");
            return;
        }

        var request = context.Features.GetRequiredFeature<IHttpRequestFeature>();
        if (hostRoutes.TryGet(host, out var route) && TryRewrite(context, route, request.RawTarget))
        {
            await AnswerFromClusterAsync(context, host);
        }
        else if (mayForward)
        {
            // A path of the host that no cluster answers: it goes to the real host, as if not intercepted.
            await passThrough.ForwardAsync(context, $"https://{host}/");
            metrics.Answered(host, "none");
        }
        else
        {
            await ProblemResponses.WriteAsync(context, StatusCodes.Status404NotFound, "Not routed",
                "No cluster of this proxy answers that host and path (a cluster's Metadata:PublicAddress names the address it answers).");
        }
    }

    // An absolute-form request on the forward-proxy port: http://host/path.
    private async Task AnswerPlainAsync(HttpContext context, string host)
    {
        if (!clients.Allows(context.Request.Headers.ProxyAuthorization, context.Connection.RemoteIpAddress))
        {
            metrics.Refused(ProxyRefusal.Credentials);
            context.Response.Headers.ProxyAuthenticate = "Basic realm=\"EnrichProxy\"";
            await ProblemResponses.WriteAsync(context, StatusCodes.Status407ProxyAuthenticationRequired, "Proxy authentication required",
                "This proxy needs its credentials (Proxy-Authorization: Basic), or a client on a private network when it has none.");
            return;
        }

        // Verified: not the business of anything downstream (and a credential would keep hits off the fast path).
        context.Request.Headers.Remove(HeaderNames.ProxyAuthorization);
        var request = context.Features.GetRequiredFeature<IHttpRequestFeature>();
        if (!TryGetPathAndQuery(request.RawTarget, out var pathAndQuery))
        {
            metrics.Refused(ProxyRefusal.BadRequest);
            await ProblemResponses.WriteAsync(context, StatusCodes.Status400BadRequest, "Not a proxy request",
                "This is the forward-proxy port: send absolute-form requests (GET http://host/path) or CONNECT host:443. The proxy's own endpoints are on its main port.");
            return;
        }

        if (_intercepted.For(options.CurrentValue.ForwardProxy).Contains(host) && hostRoutes.TryGet(host, out var route) && TryRewrite(context, route, pathAndQuery))
        {
            await AnswerFromClusterAsync(context, host);
            return;
        }

        var port = context.Request.Host.Port ?? 80;
        if (!destinations.AllowsPlainPort(port))
        {
            metrics.Refused(ProxyRefusal.Port);
            await ProblemResponses.WriteAsync(context, StatusCodes.Status403Forbidden, "Port not allowed", "This proxy forwards http:// requests to port 80 and its allowed ports only.");
            return;
        }

        await passThrough.ForwardAsync(context, $"http://{context.Request.Host.Value}/");
    }

    /// <summary>
    /// Moves the request onto the cluster's prefix route, in both forms of its target: the raw one (which keys the fast
    /// path) and the decoded one (which is routed). Both must lie under the cluster's base path. The decoded path,
    /// from which Kestrel has removed dot segments, decides: <c>/v1/../../admin/stats</c> starts with <c>/v1</c> as
    /// written but is <c>/admin/stats</c> once resolved, and must not reach the proxy's own endpoints or another
    /// cluster's routes.
    /// </summary>
    private static bool TryRewrite(HttpContext context, HostRoute route, string rawPathAndQuery)
    {
        if (route.ToPrefixRoute(context.Request.Path.Value ?? "/") is not { } path || route.ToPrefixRoute(rawPathAndQuery) is not { } raw)
        {
            return false;
        }

        context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget = raw;
        context.Request.Path = new PathString(path);
        return true;
    }

    private Task AnswerFromClusterAsync(HttpContext context, string host)
    {
        // Counted as the answer starts, before the client can see it (and so before it can read the counters).
        context.Response.OnStarting(static state =>
        {
            var (metrics, host, response) = ((InterceptionMetrics, string, HttpResponse))state;
            metrics.Answered(host, ResultLabel(response.Headers["X-Cache"].ToString()));
            return Task.CompletedTask;
        }, (metrics, host, context.Response));
        return next(context);
    }

    // The label's values are fixed, whatever an uncached route's upstream puts in its own X-Cache.
    private static string ResultLabel(string xCache) => xCache switch
    {
        "HIT" => "hit",
        "MISS" => "miss",
        "STALE" => "stale",
        "BYPASS" => "bypass",
        _ => "none",
    };

    // The path and query of an absolute-form target (http://host[:port]/path?query); false for any other form.
    private static bool TryGetPathAndQuery(string rawTarget, out string pathAndQuery)
    {
        pathAndQuery = string.Empty;
        const string Scheme = "http://";
        if (!rawTarget.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var start = rawTarget.AsSpan(Scheme.Length).IndexOfAny('/', '?');
        pathAndQuery = start < 0 ? "/" : rawTarget[(Scheme.Length + start)..];
        if (pathAndQuery.StartsWith('?'))
        {
            pathAndQuery = "/" + pathAndQuery;
        }

        return true;
    }
}

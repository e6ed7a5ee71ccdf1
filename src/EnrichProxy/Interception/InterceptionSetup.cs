using EnrichProxy.Configuration;
using Microsoft.Extensions.Options;

namespace EnrichProxy.Interception;

/// <summary>Registers and maps the forward proxy, the TLS front door and their CA.</summary>
internal static partial class InterceptionSetup
{
    /// <summary>Whether either interception listener is on (and so the CA is needed).</summary>
    public static bool IsEnabled(EnrichProxyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.ForwardProxy.Enabled || options.TlsFrontDoor.Enabled;
    }

    public static IServiceCollection AddEnrichProxyInterception(this IServiceCollection services)
    {
        services.AddSingleton<CertificateAuthority>();
        services.AddSingleton<InterceptionMetrics>();
        services.AddSingleton<InterceptionListeners>();
        services.AddSingleton<HostRoutes>();
        services.AddSingleton<ProxyClients>();
        services.AddSingleton<ProxyDestinations>();
        services.AddSingleton<PassThroughForwarder>();
        services.AddSingleton<ForwardProxyConnections>();
        services.AddSingleton<FrontDoorCertificates>();
        return services;
    }

    /// <summary>
    /// Routes the interception listeners' requests by host, first of all (before the fast path), and maps
    /// <c>GET /ca.crt</c>. With both listeners off, the pipeline is left as it was.
    /// </summary>
    public static void UseEnrichProxyInterception(this WebApplication app, EnrichProxyOptions options)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(options);
        // Created now, on or off, so that its series are exported from the start (at zero).
        _ = app.Services.GetRequiredService<InterceptionMetrics>();
        if (options.ForwardProxy is { Enabled: true, RequiresCredentials: false })
        {
            LogNoCredentials(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(InterceptionSetup)), options.ForwardProxy.Url);
        }

        if (IsEnabled(options))
        {
            // Created (or read) now, so its path and fingerprint are logged at start and a broken one stops the start.
            app.Services.GetRequiredService<CertificateAuthority>().EnsureLoaded();
            app.UseMiddleware<InterceptedRequests>();
        }
    }

    [LoggerMessage(EventId = 8004, EventName = "ForwardProxyWithoutCredentials", Level = LogLevel.Warning,
        Message = "The forward proxy on {Url} has no credentials: it serves every client whose address is loopback or a private network. Behind NAT, a VPN, a load balancer or Docker's userland proxy that can be anyone who reaches the port; set EnrichProxy:ForwardProxy:Username and Password")]
    private static partial void LogNoCredentials(ILogger logger, string url);

    public static void MapEnrichProxyInterception(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(CaCertificateEndpoint.Path, CaCertificateEndpoint.HandleAsync).ExcludeFromDescription();
    }
}

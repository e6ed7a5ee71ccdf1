using EnrichProxy.Configuration;
using Microsoft.Extensions.Options;

namespace EnrichProxy.Interception;

/// <summary>Registers and maps the forward proxy, the TLS front door and their CA.</summary>
internal static class InterceptionSetup
{
    /// <summary>Whether either interception listener is on (and so the CA is needed).</summary>
    public static bool IsEnabled(EnrichProxyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.ForwardProxy.Enabled || options.TlsFrontDoor.Enabled;
    }

    public static IServiceCollection AddEnrichProxyInterception(this IServiceCollection services)
    {
        services.AddSingleton<IValidateOptions<EnrichProxyOptions>, InterceptionOptionsValidator>();
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
        if (IsEnabled(options))
        {
            // Created (or read) now, so its path and fingerprint are logged at start and a broken one stops the start.
            app.Services.GetRequiredService<CertificateAuthority>().EnsureLoaded();
            app.UseMiddleware<InterceptedRequests>();
        }
    }

    public static void MapEnrichProxyInterception(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(CaCertificateEndpoint.Path, CaCertificateEndpoint.HandleAsync).ExcludeFromDescription();
    }
}

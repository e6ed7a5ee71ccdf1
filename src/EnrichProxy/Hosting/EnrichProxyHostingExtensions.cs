using EnrichProxy.Admin;
using EnrichProxy.Background;
using EnrichProxy.Batch;
using EnrichProxy.Caching;
using EnrichProxy.Configuration;
using EnrichProxy.Enrichment;
using EnrichProxy.Enrichment.Webhooks;
using EnrichProxy.Health;
using EnrichProxy.Interception;
using EnrichProxy.Notifications;
using EnrichProxy.Prefetching;
using EnrichProxy.Status;
using EnrichProxy.Telemetry;
using EnrichProxy.Upstreams;
using EnrichProxy.Upstreams.Resilience;
using EnrichProxy.Warmup;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace EnrichProxy.Hosting;

/// <summary>The two entry points <c>Program.cs</c> composes: services, then endpoints.</summary>
internal static class EnrichProxyHostingExtensions
{
    private const string ReadyTag = "ready";

    /// <summary>Registers EnrichProxy: configuration files, validated options, YARP, the cache, health and telemetry.</summary>
    public static WebApplicationBuilder AddEnrichProxy(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Configuration.AddEnrichProxyConfigFiles(builder.Environment);
        builder.Configuration.AddSecretFiles();
        InlineSocketCompletions.Apply(builder.Configuration);
        DefaultAddress.Apply(builder);
        Listeners.Apply(builder);
        // These categories log request URLs, query string included, at Information: a client's key and,
        // for YARP's forwarder, the key the proxy injects. They stay quiet whatever the configuration says.
        // (Hosting's only logs are those per-request lines; while it may log, ASP.NET Core also starts an
        // Activity per request, which costs the cache-hit path a tenth of its time.)
        builder.Logging.AddFilter("Yarp.ReverseProxy.Forwarder.HttpForwarder", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);

        var services = builder.Services;
        // The app runs on an accepted copy of the settings, replaced when a changed configuration passes the same checks
        // as the start (LiveConfiguration): every feature's options and YARP's routes are bound to it.
        var live = LiveConfiguration.Snapshot(builder.Configuration);
        var configuration = live.Accepted;
        services.AddSingleton(live);
        services.AddSingleton(live.Status);
        services.AddHostedService<ConfigurationReloader>();
        services.AddConfigurationChecks(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.AddProblemDetails();
        services.AddAuthorization();

        services.AddSingleton<IUpstreamFetcher, UpstreamFetcher>();
        services.AddSingleton<UpstreamAccessGate>();
        // Every upstream request (forwarded or a cache fill) goes through its cluster's resilience pipeline.
        services.AddSingleton<UpstreamMetrics>();
        services.AddSingleton<UpstreamResilienceRegistry>();
        services.AddSingleton<IForwarderHttpClientFactory, ResilientForwarderHttpClientFactory>();

        services.AddEnrichProxyCache(configuration, builder.Environment);
        services.AddEnrichProxyEnrichment(configuration, builder.Environment);
        services.AddApiDocs();
        services.AddEnrichProxyBackground(configuration);
        services.AddEnrichProxyPrefetching();
        services.AddEnrichProxyWarmup();
        services.AddEnrichProxyInterception();
        services.AddEnrichProxyBatch();
        services.AddEnrichProxyNotifications();
        services.AddEnrichProxyTelemetry(builder.Configuration); // OTEL_* variables: read at start
        var environment = builder.Environment;
        services.AddSingleton(provider => new InstanceInfo(
            environment.EnvironmentName,
            ConfigurationFiles.FindConfigDirectory(environment.ContentRootPath),
            Path.GetDirectoryName(Path.GetFullPath(provider.GetRequiredService<IOptions<EnrichProxyOptions>>().Value.Cache.DiskPath, environment.ContentRootPath))!,
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddHealthChecks()
            .AddCheck<CacheStorageHealthCheck>(CacheStorageHealthCheck.Name, tags: [ReadyTag])
            .AddCheck<BackplaneHealthCheck>(BackplaneHealthCheck.Name, tags: [ReadyTag])
            .AddCheck<UpstreamCircuitsHealthCheck>("upstreams", tags: [ReadyTag]);
        return builder;
    }

    /// <summary>Maps health, metrics and the proxy with its caching pipeline.</summary>
    public static WebApplication MapEnrichProxy(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        StartupCheck.Run(app.Services);
        // Made now, so that its start time and build-info metric date from the start.
        _ = app.Services.GetRequiredService<InstanceInfo>();
        ExposureCheck.Register(app, app.Services.GetRequiredService<IOptions<EnrichProxyOptions>>().Value);
        if (app.Configuration.GetValue<bool>(AccessLog.EnabledKey))
        {
            app.UseMiddleware<AccessLog>();
        }

        // Requests of the forward proxy and the TLS front door are routed by host before anything else.
        app.UseEnrichProxyInterception(app.Services.GetRequiredService<IOptions<EnrichProxyOptions>>().Value);
        // Fresh hits of remembered targets are answered first, before routing and everything else.
        app.UseMiddleware<CacheHitFastPath>();
        // After the fast path, which only ever remembers short targets: hits pay nothing for the check.
        app.UseMiddleware<RequestTargetLimits>();
        app.UseExceptionHandler();
        app.UseRouting();
        app.UseAuthorization();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResponseWriter = HealthJsonWriter.WriteAsync,
        });
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapApiDocs();
        app.MapEnrichProxyAdmin();
        app.MapStatusPage();
        app.MapEnrichmentApi();
        app.MapWebhooks();
        app.MapEnrichProxyInterception();
        app.MapMovieBulk();
        app.MapReverseProxy(pipeline =>
        {
            pipeline.UseMiddleware<RefusedForwardMiddleware>();
            // The cache decides the access of the reads it answers; the access step decides the rest's.
            pipeline.UseMiddleware<ResponseCacheMiddleware>();
            pipeline.UseMiddleware<UpstreamAccessMiddleware>();
            pipeline.UseSessionAffinity();
            pipeline.UseLoadBalancing();
            pipeline.UsePassiveHealthChecks();
        });
        return app;
    }
}

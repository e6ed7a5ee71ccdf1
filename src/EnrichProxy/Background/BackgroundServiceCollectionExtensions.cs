using EnrichProxy.Configuration;
using EnrichProxy.Prefetching;
using EnrichProxy.Warmup;

namespace EnrichProxy.Background;

/// <summary>Registers the background queue, the prefetcher and the warm-up.</summary>
internal static class BackgroundServiceCollectionExtensions
{
    // What the host allows for the whole shutdown beyond the queue's drain.
    private static readonly TimeSpan ShutdownMargin = TimeSpan.FromSeconds(5);

    public static IServiceCollection AddEnrichProxyBackground(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = configuration.GetSection(EnrichProxyOptions.SectionName).Get<EnrichProxyOptions>() ?? new EnrichProxyOptions();
        services.AddSingleton<QueueMetrics>();
        services.AddSingleton<BackgroundQueue>();
        services.AddSingleton<RouteFinder>();
        services.AddSingleton<Prefetcher>();
        services.AddSingleton<WarmupProgress>();

        // Hosted services stop in reverse order: the warm-up stops queueing before the queue drains.
        services.AddHostedService(sp => sp.GetRequiredService<BackgroundQueue>());
        services.AddHostedService<LibraryWarmup>();
        services.Configure<HostOptions>(host =>
        {
            if (host.ShutdownTimeout < settings.Queue.DrainTimeout + ShutdownMargin)
            {
                host.ShutdownTimeout = settings.Queue.DrainTimeout + ShutdownMargin;
            }
        });
        return services;
    }
}

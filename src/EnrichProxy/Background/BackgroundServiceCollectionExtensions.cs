using EnrichProxy.Configuration;

namespace EnrichProxy.Background;

/// <summary>Registers the background queue.</summary>
internal static class BackgroundServiceCollectionExtensions
{
    // What the host allows for the whole shutdown beyond the queue's drain.
    private static readonly TimeSpan ShutdownMargin = TimeSpan.FromSeconds(5);

    public static IServiceCollection AddEnrichProxyBackground(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = configuration.GetSection(EnrichProxyOptions.SectionName).Get<EnrichProxyOptions>() ?? new EnrichProxyOptions();
        services.AddSingleton<QueueMetrics>();
        services.AddSingleton<BackgroundQueue>();
        services.AddHostedService(sp => sp.GetRequiredService<BackgroundQueue>());
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

namespace EnrichProxy.Warmup;

/// <summary>Registers the warm-up of the cache from the Arr libraries.</summary>
internal static class WarmupServiceCollectionExtensions
{
    public static IServiceCollection AddEnrichProxyWarmup(this IServiceCollection services)
    {
        services.AddSingleton<WarmupProgress>();
        services.AddSingleton<WarmupTrigger>();
        // Hosted services stop in reverse order: registered after the queue, the warm-up stops queueing before the queue drains.
        services.AddHostedService<LibraryWarmup>();
        return services;
    }
}

using EnrichProxy.Configuration;
using Microsoft.Extensions.Options;

namespace EnrichProxy.Prefetching;

/// <summary>Registers prefetch: the rules, their start-up check, and the prefetcher listening to the cache's fills.</summary>
internal static class PrefetchingServiceCollectionExtensions
{
    public static IServiceCollection AddEnrichProxyPrefetching(this IServiceCollection services)
    {
        services.AddSingleton<PrefetchRules>();
        services.AddSingleton<Prefetcher>();
        services.AddHostedService(sp => sp.GetRequiredService<Prefetcher>());
        return services;
    }
}

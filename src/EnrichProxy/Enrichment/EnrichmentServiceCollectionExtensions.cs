using EnrichProxy.Caching.Storage;
using EnrichProxy.Configuration;
using EnrichProxy.Enrichment.Overrides;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace EnrichProxy.Enrichment;

/// <summary>Registers the enrichment API: the priority chain's tiers and the store of the operator's overrides.</summary>
internal static class EnrichmentServiceCollectionExtensions
{
    public static IServiceCollection AddEnrichProxyEnrichment(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var settings = configuration.GetSection(EnrichProxyOptions.SectionName).Get<EnrichProxyOptions>() ?? new EnrichProxyOptions();
        if (settings.Redis.IsEnabled)
        {
            // Shared by every instance, like the cache; the connection is the cache's.
            services.AddSingleton<IOverrideStore>(sp => new RedisOverrideStore(sp.GetRequiredService<IConnectionMultiplexer>(), settings.Redis.InstanceName));
            foreach (var kind in ItemKinds.All)
            {
                services.AddSingleton(new RedisKeyOutsideCache(RedisOverrideStore.HashKey(settings.Redis.InstanceName, kind.Kind)));
            }
        }
        else
        {
            services.AddSingleton<IOverrideStore>(_ => new SqliteOverrideStore(Path.GetFullPath(settings.Overrides.DiskPath, environment.ContentRootPath)));
        }

        services.AddSingleton<EnrichedDocuments>();
        services.AddSingleton<TierReader>();
        services.AddSingleton<ItemSources>();
        services.AddSingleton<LibraryAccess>();
        services.AddSingleton<ItemResolver>();
        services.AddSingleton<ItemRefresh>();
        return services;
    }
}

namespace EnrichProxy.Batch;

/// <summary>Registers the batch lookups answered from the cache's single entries.</summary>
internal static class BatchServiceCollectionExtensions
{
    public static IServiceCollection AddEnrichProxyBatch(this IServiceCollection services)
    {
        services.AddSingleton<MovieBulkLookup>();
        return services;
    }
}

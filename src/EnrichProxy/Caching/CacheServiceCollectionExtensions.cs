using System.Diagnostics.Metrics;
using System.Text.Json;
using EnrichProxy.Caching.Purging;
using EnrichProxy.Caching.Storage;
using EnrichProxy.Configuration;
using EnrichProxy.Routing;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Options;
using NeoSmart.Caching.Sqlite;
using StackExchange.Redis;
using ZiggyCreatures.Caching.Fusion;
using ZiggyCreatures.Caching.Fusion.Backplane.StackExchangeRedis;
using ZiggyCreatures.Caching.Fusion.Serialization.SystemTextJson;

namespace EnrichProxy.Caching;

/// <summary>Registers the two-level cache: L1 memory; L2 Redis with backplane and distributed lock, or the embedded disk file.</summary>
internal static class CacheServiceCollectionExtensions
{
    public static IServiceCollection AddEnrichProxyCache(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var settings = configuration.GetSection(EnrichProxyOptions.SectionName).Get<EnrichProxyOptions>() ?? new EnrichProxyOptions();

        services.AddSingleton<CachePolicyRegistry>();
        services.AddSingleton<RouteFinder>();
        services.AddSingleton<FillListeners>();
        services.AddSingleton<CacheFill>();
        services.AddSingleton<ReadThroughCache>();
        services.AddSingleton<ProxyReads>();
        services.AddSingleton<CacheMetrics>();
        services.AddSingleton<CacheLevelMetrics>();
        services.AddHostedService(sp => sp.GetRequiredService<CacheLevelMetrics>());
        services.AddSingleton<HotTargets>();
        services.AddSingleton<SharedRequests>();
        services.AddSingleton<MemoryLevel>();
        services.AddSingleton<PurgeLedger>();
        services.AddSingleton<PurgeUrls>();
        services.AddSingleton<Purger>();
        services.AddSingleton<UnsafeMethodInvalidator>();
        services.AddHostedService(sp => sp.GetRequiredService<Purger>());
        // Wall-clock bounds on I/O (see StorageCircuit): not the injected clock that cache semantics follow.
        services.AddSingleton(_ => new StorageCircuit(settings.Redis.OperationTimeout, TimeProvider.System));

        var fusion = services.AddFusionCache()
            .WithOptions(options =>
            {
                // While L2 or the backplane is down, skip it for a moment instead of waiting on every request.
                options.DistributedCacheCircuitBreakerDuration = TimeSpan.FromSeconds(2);
                options.BackplaneCircuitBreakerDuration = TimeSpan.FromSeconds(2);
                options.BackplaneChannelPrefix = settings.Redis.InstanceName + "backplane";
                options.WaitForInitialBackplaneSubscribe = true;
                // Tags and Clear() cost a lookup of their own on every read; purges go by key.
                options.DisableTagging = true;
                // The fetcher logs one line per upstream failure; FusionCache would add a stack trace per waiter.
                options.FactoryErrorsLogLevel = LogLevel.Debug;
                // The fast path releases what it holds in the handlers of Set, Remove and backplane messages,
                // before the operation that raised them returns (HotTargets); no other event has a handler.
                options.EnableSyncEventHandlersExecution = true;
                options.FailSafeActivationLogLevel = LogLevel.Debug;
            })
            .WithDefaultEntryOptions(new FusionCacheEntryOptions { Size = 1 })
            .WithMemoryLocker(new TransientKeyLocker())
            .WithMemoryCache(sp => sp.GetRequiredService<MemoryLevel>().Cache)
            .WithSerializer(new FusionCacheSystemTextJsonSerializer(new JsonSerializerOptions { IncludeFields = true }))
            .WithRegisteredDistributedCache(ignoreMemoryDistributedCache: false);

        if (settings.Redis.IsEnabled)
        {
            var redis = settings.Redis;
            services.AddSingleton<IConnectionMultiplexer>(_ =>
            {
                return ConnectionMultiplexer.Connect(RedisConnection.Options(redis));
            });
            services.AddOptions<RedisCacheOptions>()
                .Configure<IServiceProvider>((options, sp) =>
                {
                    options.InstanceName = redis.InstanceName;
                    options.ConnectionMultiplexerFactory = () => Task.FromResult(sp.GetRequiredService<IConnectionMultiplexer>());
                });
            services.AddSingleton<IDistributedCache>(sp => new ObservedDistributedCache(
                new GuardedDistributedCache(new RedisCache(sp.GetRequiredService<IOptions<RedisCacheOptions>>()), sp.GetRequiredService<StorageCircuit>()),
                sp.GetRequiredService<IMeterFactory>()));
            services.AddSingleton<IPurgeStore>(sp => new RedisPurgeStore(
                sp.GetRequiredService<IConnectionMultiplexer>(), redis.InstanceName, sp.GetRequiredService<ILogger<RedisPurgeStore>>()));
            services.AddSingleton(new RedisKeyOutsideCache(RedisPurgeStore.MarkersKey(redis.InstanceName)));
            services.AddSingleton<ISecondLevelCensus>(sp => new RedisCensus(
                sp.GetRequiredService<IConnectionMultiplexer>(), redis.InstanceName, sp.GetServices<RedisKeyOutsideCache>()));
            fusion
                .WithBackplane(sp => new RedisBackplane(
                    Options.Create(new RedisBackplaneOptions { ConnectionMultiplexerFactory = () => Task.FromResult(sp.GetRequiredService<IConnectionMultiplexer>()) }),
                    sp.GetRequiredService<ILogger<RedisBackplane>>()))
                .WithDistributedLocker(sp => sp.GetRequiredService<RedisFillLock>());
            services.AddSingleton(sp => new RedisFillLock(
                sp.GetRequiredService<IConnectionMultiplexer>(), sp.GetRequiredService<StorageCircuit>(), TimeProvider.System, redis.InstanceName));
            services.AddSingleton<IRefreshLock>(sp => sp.GetRequiredService<RedisFillLock>());
        }
        else
        {
            var path = Path.GetFullPath(settings.Cache.DiskPath, environment.ContentRootPath);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            services.AddSqliteCache(options => options.CachePath = path, new SQLitePCL.SQLite3Provider_e_sqlite3());
            services.AddSingleton<IDistributedCache>(sp => new ObservedDistributedCache(
                new GuardedDistributedCache(new ThreadPoolDistributedCache(sp.GetRequiredService<SqliteCache>()), sp.GetRequiredService<StorageCircuit>()),
                sp.GetRequiredService<IMeterFactory>()));
            services.AddSingleton<ISecondLevelCensus>(sp =>
            {
                // The level creates the file and picks SQLite's native library: it exists before the census reads the file.
                _ = sp.GetRequiredService<SqliteCache>();
                return new DiskCensus(path);
            });
            services.AddSingleton<IRefreshLock, SingleInstanceRefreshLock>();
            services.AddSingleton<IPurgeStore>(_ => new DiskPurgeStore(Path.Combine(Path.GetDirectoryName(path)!, "purges.json")));
            services.AddSingleton(sp =>
            {
                _ = sp.GetRequiredService<SqliteCache>(); // The file exists before it is measured.
                return ActivatorUtilities.CreateInstance<DiskLevelBound>(sp, path);
            });
            services.AddHostedService(sp => sp.GetRequiredService<DiskLevelBound>());
        }

        return services;
    }
}

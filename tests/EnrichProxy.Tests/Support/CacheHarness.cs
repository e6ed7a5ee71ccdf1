using System.Text.Json;
using EnrichProxy.Background;
using EnrichProxy.Caching;
using EnrichProxy.Caching.Purging;
using EnrichProxy.Configuration;
using EnrichProxy.Enrichment;
using EnrichProxy.Enrichment.Overrides;
using EnrichProxy.Prefetching;
using EnrichProxy.Routing;
using EnrichProxy.Upstreams;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Configuration;
using ZiggyCreatures.Caching.Fusion;
using ZiggyCreatures.Caching.Fusion.Serialization.SystemTextJson;

namespace EnrichProxy.Tests.Support;

/// <summary>
/// The read path without a server: the real read service, fill path, purges and background queue over an
/// in-memory FusionCache, with a <see cref="FakeFetcher"/> for the upstreams and a <see cref="FakeTimeProvider"/>
/// for the clock. FusionCache keeps its own (real) clock for when an entry expires, so a test that needs an
/// entry expired in FusionCache's eyes gives its policy a TTL of a few milliseconds.
/// </summary>
internal sealed class CacheHarness : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly string _directory = Directory.CreateTempSubdirectory("enrichproxy-harness-").FullName;
    private bool _queueStarted;

    public CacheHarness(EnrichProxyOptions options, params RouteConfig[] routes)
        : this(options, secondLevel: null, routes)
    {
    }

    /// <param name="options">The proxy's options.</param>
    /// <param name="secondLevel">An L2 for the cache (none when null), as Redis or the disk is to the running proxy.</param>
    /// <param name="routes">The routes.</param>
    public CacheHarness(EnrichProxyOptions options, IDistributedCache? secondLevel, RouteConfig[] routes)
    {
        Time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero));
        Fetcher = new FakeFetcher(Time);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMetrics();
        services.AddRouting();
        services.AddSingleton<TimeProvider>(Time);
        services.AddSingleton(Microsoft.Extensions.Options.Options.Create(options));
        services.AddSingleton<IOptionsMonitor<EnrichProxyOptions>>(new ChangingOptions<EnrichProxyOptions>(options));
        services.AddSingleton<IFusionCache>(_ =>
        {
            // Two settings of the proxy's (CacheServiceCollectionExtensions) that reads depend on: no tagging, which would add L2
            // lookups of its own to every read, and event handlers run before the call that raised them returns.
            var cache = new FusionCache(new FusionCacheOptions { DisableTagging = true, EnableSyncEventHandlersExecution = true });
            if (secondLevel is not null)
            {
                cache.SetupDistributedCache(secondLevel, new FusionCacheSystemTextJsonSerializer(new JsonSerializerOptions { IncludeFields = true }));
            }

            return cache;
        });
        services.AddSingleton<IUpstreamFetcher>(Fetcher);
        services.AddSingleton<IProxyStateLookup>(new FakeProxyState(routes));
        services.AddSingleton<IPurgeStore>(_ => new DiskPurgeStore(Path.Combine(_directory, "purges.json")));
        services.AddSingleton<PurgeLedger>();
        services.AddSingleton<PurgeUrls>();
        services.AddSingleton<HotTargets>();
        services.AddSingleton<Purger>();
        services.AddSingleton<CachePolicyRegistry>();
        services.AddSingleton<UpstreamRegistry>();
        services.AddSingleton<RouteFinder>();
        services.AddSingleton<FillListeners>();
        services.AddSingleton<IRefreshLock, SingleInstanceRefreshLock>();
        services.AddSingleton<CacheMetrics>();
        services.AddSingleton<CacheFill>();
        services.AddSingleton<ReadThroughCache>();
        services.AddSingleton<ProxyReads>();
        services.AddSingleton<QueueMetrics>();
        services.AddSingleton<BackgroundQueue>();
        services.AddSingleton<PrefetchRules>();
        services.AddSingleton<Prefetcher>();
        services.AddSingleton<IOverrideStore>(_ => new SqliteOverrideStore(Path.Combine(_directory, "overrides.db")));
        services.AddSingleton<EnrichedDocuments>();
        services.AddSingleton<TierReader>();
        services.AddSingleton<ItemSources>();
        services.AddSingleton<ItemResolver>();
        _services = services.BuildServiceProvider();
    }

    public FakeTimeProvider Time { get; }

    public FakeFetcher Fetcher { get; }

    public IServiceProvider Services => _services;

    public ReadThroughCache Cache => _services.GetRequiredService<ReadThroughCache>();

    public ProxyReads Reads => _services.GetRequiredService<ProxyReads>();

    public Purger Purger => _services.GetRequiredService<Purger>();

    public BackgroundQueue Queue => _services.GetRequiredService<BackgroundQueue>();

    public ItemResolver Resolver => _services.GetRequiredService<ItemResolver>();

    /// <summary>One policy, <c>test</c>, with the given windows; the route <c>tmdb-movie</c> uses it.</summary>
    public static EnrichProxyOptions Options(
        TimeSpan? ttl = null, TimeSpan? staleWhileRevalidate = null, TimeSpan? staleIfError = null, params string[] prefetch) => new()
        {
            Policies = new(StringComparer.OrdinalIgnoreCase)
            {
                ["test"] = new CachePolicyOptions
                {
                    Ttl = ttl ?? TimeSpan.FromHours(1),
                    StaleWhileRevalidate = staleWhileRevalidate ?? TimeSpan.Zero,
                    StaleIfError = staleIfError ?? TimeSpan.Zero,
                    NegativeTtl = TimeSpan.FromMinutes(5),
                    Prefetch = [.. prefetch],
                },
            },
            Upstreams = new(StringComparer.OrdinalIgnoreCase) { ["tmdb"] = new UpstreamOptions { ApiKey = "proxy-key-0123456789" } },
        };

    /// <summary>The route of TMDb movies, cached with the <c>test</c> policy.</summary>
    public static RouteConfig MovieRoute => FakeProxyState.Route("tmdb-movie", "tmdb", "/tmdb/3/movie/{id:int}", "test");

    /// <summary>A read of <paramref name="path"/> through route <paramref name="routeId"/> with the proxy's own key, as the enrichment tiers read.</summary>
    public CacheRead Read(string path, string routeId = "tmdb-movie") =>
        Reads.ForRoute(routeId, path, string.Empty) ?? throw new InvalidOperationException($"No cached route {routeId} answers {path}.");

    /// <summary>The same read with the credentials of <paramref name="access"/>.</summary>
    public CacheRead Read(string path, UpstreamAccess access)
    {
        var read = Read(path);
        return Cache.Prepare(read.Route, read.Policy, read.Request with { Access = access });
    }

    /// <summary>Runs the background queue's workers (refreshes, prefetches).</summary>
    public async Task StartQueueAsync()
    {
        await Queue.StartAsync(CancellationToken.None);
        _queueStarted = true;
    }

    public async ValueTask DisposeAsync()
    {
        if (_queueStarted)
        {
            await Queue.StopAsync(CancellationToken.None);
        }

        await _services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}

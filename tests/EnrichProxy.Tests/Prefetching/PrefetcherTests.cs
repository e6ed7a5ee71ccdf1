using EnrichProxy.Caching;
using EnrichProxy.Prefetching;
using EnrichProxy.Tests.Support;
using EnrichProxy.Upstreams;
using Microsoft.Extensions.DependencyInjection;

namespace EnrichProxy.Tests.Prefetching;

/// <summary>Prefetch as a listener of the cache's fills, with a fake upstream and the real queue.</summary>
public sealed class PrefetcherTests
{
    private const string Movie = "/tmdb/3/movie/603";
    private const string Collection = "/tmdb/3/collection/2344";

    [Fact]
    public async Task AFreshAnswer_QueuesWhatItsRulesName_AndTheFollowingReadIsAHit()
    {
        await using var harness = await StartAsync();
        harness.Fetcher.Answer(Movie, 200, """{"id":603,"belongs_to_collection":{"id":2344}}""");
        harness.Fetcher.Answer(Collection, 200, """{"id":2344,"parts":[]}""");

        await harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None);
        await Eventually.TrueAsync(() => harness.Cache.TryGetFreshFromMemory(harness.Read(Collection, "tmdb-collection").Key, harness.Read(Collection, "tmdb-collection").Policy, out _, out _), "the collection prefetched");

        Assert.IsType<ReadResult.Hit>(await harness.Cache.ReadAsync(harness.Read(Collection, "tmdb-collection"), CancellationToken.None));
        var prefetch = Assert.Single(harness.Fetcher.Fetched, f => f.Request.Path == Collection);
        Assert.True(prefetch.Background);
        Assert.Same(UpstreamAccess.ProxyKey, prefetch.Request.Access);
    }

    [Fact]
    public async Task APrefetchOfAnExpiredEntryWithAValidator_IsAConditionalRequest()
    {
        var instant = TimeSpan.FromMilliseconds(1); // Expired at once in FusionCache's own clock: each read fills, with the stale entry at hand.
        var options = CacheHarness.Options(ttl: instant, staleIfError: TimeSpan.FromHours(1), prefetch: "/tmdb/3/collection/{belongs_to_collection.id}");
        options.Policies["collection"] = new Configuration.CachePolicyOptions { Ttl = instant, StaleIfError = TimeSpan.FromHours(1) };
        await using var harness = new CacheHarness(options, CacheHarness.MovieRoute, FakeProxyState.Route("tmdb-collection", "tmdb", "/tmdb/3/collection/{id:int}", "collection"));
        await harness.StartQueueAsync();
        await harness.Services.GetRequiredService<Prefetcher>().StartAsync(CancellationToken.None);
        harness.Fetcher.Answer(Movie, 200, """{"id":603,"belongs_to_collection":{"id":2344}}""");
        harness.Fetcher.Answer(Collection, request => request.HeaderValue("If-None-Match") == "\"c1\""
            ? new UpstreamAnswer { StatusCode = 304, Headers = [], Body = [], SentAt = harness.Time.GetUtcNow(), ReceivedAt = harness.Time.GetUtcNow() }
            : new UpstreamAnswer
            {
                StatusCode = 200,
                Headers = [new ResponseHeader("Content-Type", "application/json"), new ResponseHeader("ETag", "\"c1\"")],
                Body = """{"id":2344,"parts":[]}"""u8.ToArray(),
                SentAt = harness.Time.GetUtcNow(),
                ReceivedAt = harness.Time.GetUtcNow(),
            });

        await harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None);
        await Eventually.TrueAsync(() => harness.Fetcher.CountOf(Collection) == 1, "the first prefetch");
        await Task.Delay(50);
        await harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None); // Filled again: its rules run again.
        await Eventually.TrueAsync(() => harness.Fetcher.CountOf(Collection) == 2, "the second prefetch");

        var second = harness.Fetcher.Fetched.Where(f => f.Request.Path == Collection).Last();
        Assert.True(second.Background);
        Assert.Equal("\"c1\"", second.Request.HeaderValue("If-None-Match"));
    }

    [Fact]
    public async Task AnAnswerInAClientsOwnPartition_PrefetchesNothing()
    {
        await using var harness = await StartAsync();
        harness.Fetcher.Answer(Movie, 200, """{"id":603,"belongs_to_collection":{"id":2344}}""");
        var partitioned = new UpstreamAccess(mayUseCache: true, injectProxyKey: false, partition: "p", credentialHeaders: []);

        await harness.Cache.ReadAsync(harness.Read(Movie, partitioned), CancellationToken.None);
        await harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None); // Shared: its rules run.
        await Eventually.TrueAsync(() => harness.Fetcher.CountOf(Collection) == 1, "the shared answer's prefetch");

        Assert.Equal(1, harness.Fetcher.CountOf(Collection));
    }

    [Fact]
    public async Task AnAnswerWithoutTheField_QueuesNothing()
    {
        await using var harness = await StartAsync();
        harness.Fetcher.Answer(Movie, 200, """{"id":603,"belongs_to_collection":null}""");

        await harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None);
        await harness.Queue.StopAsync(CancellationToken.None); // Drains what was queued.

        Assert.Equal(0, harness.Fetcher.CountOf(Collection));
    }

    private static async Task<CacheHarness> StartAsync()
    {
        var options = CacheHarness.Options(prefetch: "/tmdb/3/collection/{belongs_to_collection.id}");
        options.Policies["collection"] = new Configuration.CachePolicyOptions { Ttl = TimeSpan.FromHours(1) };
        var harness = new CacheHarness(options, CacheHarness.MovieRoute, FakeProxyState.Route("tmdb-collection", "tmdb", "/tmdb/3/collection/{id:int}", "collection"));
        await harness.StartQueueAsync();
        await harness.Services.GetRequiredService<Prefetcher>().StartAsync(CancellationToken.None);
        return harness;
    }
}

using System.Text;
using EnrichProxy.Background;
using EnrichProxy.Caching;
using EnrichProxy.Caching.Purging;
using EnrichProxy.Tests.Support;
using EnrichProxy.Upstreams;
using EnrichProxy.Upstreams.Resilience;
using Microsoft.Extensions.DependencyInjection;

namespace EnrichProxy.Tests.Caching;

/// <summary>The one read decision, against an in-memory FusionCache, a fake upstream and a fake clock.</summary>
public sealed class ReadThroughCacheTests
{
    private const string Movie = "/tmdb/3/movie/603";

    // Expired at once in FusionCache's own (real) clock, so that the next read goes to the upstream and fail-safe decides.
    private static readonly TimeSpan Instant = TimeSpan.FromMilliseconds(1);

    [Fact]
    public async Task ReadAsync_Miss_FillsOnceThenHits()
    {
        await using var harness = new CacheHarness(CacheHarness.Options(), CacheHarness.MovieRoute);
        harness.Fetcher.Answer(Movie, 200, """{"id":603}""");

        var first = await harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None);
        harness.Time.Advance(TimeSpan.FromMinutes(10));
        var second = await harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None);

        Assert.IsType<ReadResult.Filled>(first);
        Assert.False(first.Coalesced);
        var hit = Assert.IsType<ReadResult.Hit>(second);
        Assert.Equal(TimeSpan.FromMinutes(10), hit.Age);
        Assert.Equal("""{"id":603}""", Encoding.UTF8.GetString(hit.Entry.Body));
        Assert.Equal(1, harness.Fetcher.CountOf(Movie));
    }

    [Fact]
    public async Task ReadAsync_ConcurrentMisses_ShareOneFetch()
    {
        await using var harness = new CacheHarness(CacheHarness.Options(), CacheHarness.MovieRoute);
        harness.Fetcher.Answer(Movie, 200, """{"id":603}""");
        harness.Fetcher.Hold();

        var reads = Enumerable.Range(0, 20).Select(_ => harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None).AsTask()).ToList();
        await Eventually.TrueAsync(() => harness.Fetcher.CountOf(Movie) == 1, "the fetch started");
        harness.Fetcher.Release();
        var results = await Task.WhenAll(reads);

        Assert.All(results, result => Assert.IsType<ReadResult.Filled>(result));
        Assert.Equal(19, results.Count(r => r.Coalesced));
        Assert.Equal(1, harness.Fetcher.CountOf(Movie));
    }

    [Fact]
    public async Task ReadAsync_ConcurrentMissesOfAKey_ShareOneSecondLevelLookup()
    {
        var secondLevel = new GatedSecondLevel();
        await using var harness = new CacheHarness(CacheHarness.Options(), secondLevel, [CacheHarness.MovieRoute]);
        harness.Fetcher.Answer(Movie, 200, """{"id":603}""");
        secondLevel.Hold(); // A slow Redis: every read of the herd arrives while the first lookup is on its way.

        var reads = Enumerable.Range(0, 20).Select(_ => harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None).AsTask()).ToList();
        var lookups = secondLevel.Reads;
        secondLevel.Release();
        var results = await Task.WhenAll(reads);

        Assert.Equal(1, lookups);
        Assert.All(results, result => Assert.IsType<ReadResult.Filled>(result));
        Assert.Equal(1, harness.Fetcher.CountOf(Movie));
        // The shared lookup, and the fill's own before its fetch: not one per read.
        Assert.Equal(2, secondLevel.Reads);
    }

    [Fact]
    public async Task ReadAsync_WhileAFillOfTheKeyRuns_JoinsItWithoutALookup()
    {
        var secondLevel = new GatedSecondLevel();
        await using var harness = new CacheHarness(CacheHarness.Options(), secondLevel, [CacheHarness.MovieRoute]);
        harness.Fetcher.Answer(Movie, 200, """{"id":603}""");
        harness.Fetcher.Hold();
        var first = harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None).AsTask();
        await Eventually.TrueAsync(() => harness.Fetcher.CountOf(Movie) == 1, "the fetch started");
        var lookupsBefore = secondLevel.Reads;

        var joiners = Enumerable.Range(0, 10).Select(_ => harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None).AsTask()).ToList();
        var lookupsOfJoiners = secondLevel.Reads - lookupsBefore;
        harness.Fetcher.Release();
        var joined = await Task.WhenAll(joiners);

        Assert.Equal(0, lookupsOfJoiners);
        Assert.False((await first).Coalesced);
        Assert.All(joined, result => Assert.True(Assert.IsType<ReadResult.Filled>(result).Coalesced));
        Assert.Equal(1, harness.Fetcher.CountOf(Movie));
    }

    [Fact]
    public async Task ReadAsync_TheFirstReaderOfASharedLookupLeaving_DoesNotCancelItForTheOthers()
    {
        var secondLevel = new GatedSecondLevel();
        await using var harness = new CacheHarness(CacheHarness.Options(), secondLevel, [CacheHarness.MovieRoute]);
        harness.Fetcher.Answer(Movie, 200, """{"id":603}""");
        secondLevel.Hold();
        using var leaving = new CancellationTokenSource();

        var first = harness.Cache.ReadAsync(harness.Read(Movie), leaving.Token).AsTask();
        var second = harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None).AsTask();
        Assert.Equal(1, secondLevel.Reads); // The second joined the first's lookup.
        await leaving.CancelAsync();
        secondLevel.Release();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        Assert.IsType<ReadResult.Filled>(await second);
        Assert.Equal(1, harness.Fetcher.CountOf(Movie));
    }

    [Fact]
    public async Task ReadAsync_AfterTheKeyChangedDuringALookup_LooksItUpAfresh()
    {
        var secondLevel = new GatedSecondLevel();
        await using var harness = new CacheHarness(CacheHarness.Options(), secondLevel, [CacheHarness.MovieRoute]);
        harness.Fetcher.Answer(Movie, 200, """{"id":603}""");
        secondLevel.Hold();
        var before = harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None).AsTask();

        // A write's invalidation, say: a read after it must not be answered what the lookup begun before it finds.
        await harness.Services.GetRequiredService<ZiggyCreatures.Caching.Fusion.IFusionCache>().RemoveAsync(harness.Read(Movie).Key);
        var after = harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None).AsTask();
        var lookups = secondLevel.Reads;
        secondLevel.Release();
        await Task.WhenAll(before, after);

        Assert.Equal(2, lookups);
    }

    [Fact]
    public async Task ReadAsync_PastTheTtlWithinStaleWhileRevalidate_AnswersStaleAndRefreshesOnce()
    {
        await using var harness = new CacheHarness(CacheHarness.Options(staleWhileRevalidate: TimeSpan.FromHours(1)), CacheHarness.MovieRoute);
        harness.Fetcher.Answer(Movie, 200, "\"v1\"");
        await harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None);
        await harness.StartQueueAsync();
        harness.Fetcher.Answer(Movie, 200, "\"v2\"");
        harness.Fetcher.Hold(); // The refresh waits until every stale read below is answered.
        harness.Time.Advance(TimeSpan.FromMinutes(90));

        var stale = new List<ReadResult>();
        for (var i = 0; i < 5; i++)
        {
            stale.Add(await harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None));
        }

        harness.Fetcher.Release();

        Assert.All(stale, result => Assert.Equal(StaleReason.Revalidating, Assert.IsType<ReadResult.Stale>(result).Reason));
        Assert.All(stale, result => Assert.Equal("\"v1\"", Encoding.UTF8.GetString(result.Response!.Body)));
        await Eventually.TrueAsync(() => harness.Cache.TryGetFreshFromMemory(harness.Read(Movie).Key, harness.Read(Movie).Policy, out _, out _), "the refresh stored");
        var refreshed = Assert.IsType<ReadResult.Hit>(await harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None));
        Assert.Equal("\"v2\"", Encoding.UTF8.GetString(refreshed.Entry.Body));
        Assert.Equal(2, harness.Fetcher.CountOf(Movie));
        Assert.True(harness.Fetcher.Fetched.Last().Background);
    }

    [Fact]
    public async Task ReadAsync_AFailedRefresh_LeavesTheUpstreamAloneForTheThrottlePeriod()
    {
        await using var harness = new CacheHarness(CacheHarness.Options(staleWhileRevalidate: TimeSpan.FromHours(2)), CacheHarness.MovieRoute);
        harness.Fetcher.Answer(Movie, 200, "\"v1\"");
        await harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None);
        await harness.StartQueueAsync();
        harness.Fetcher.Answer(Movie, 502, "{}");
        harness.Time.Advance(TimeSpan.FromMinutes(90));
        var metrics = harness.Services.GetRequiredService<QueueMetrics>();

        await harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None);
        await Eventually.TrueAsync(() => metrics.Finished.GetValueOrDefault((JobKind.Refresh, JobResult.NotStored)) == 1, "the refresh ended");
        for (var i = 0; i < 10; i++)
        {
            Assert.IsType<ReadResult.Stale>(await harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None));
        }

        Assert.Equal(2, harness.Fetcher.CountOf(Movie));

        harness.Time.Advance(TimeSpan.FromSeconds(31)); // Past the fail-safe throttle period.
        await harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None);
        await Eventually.TrueAsync(() => harness.Fetcher.CountOf(Movie) == 3, "the next refresh");
    }

    [Fact]
    public async Task ReadAsync_WithinStaleWhileRevalidate_UpstreamKnownToBeFailing_AnswersStaleWithoutQueueingARefresh()
    {
        await using var harness = await StaleWithinRevalidationAsync();
        await harness.StartQueueAsync();
        harness.Fetcher.FailingRoutes[harness.Read(Movie).RouteId] = true; // Its circuit is open: in an outage, a refresh per key would only fail.
        var queue = harness.Services.GetRequiredService<QueueMetrics>();

        for (var i = 0; i < 10; i++)
        {
            var stale = Assert.IsType<ReadResult.Stale>(await harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None));
            Assert.Equal("\"v1\"", Encoding.UTF8.GetString(stale.Entry.Body));
        }

        Assert.Equal(0, queue.Waiting + queue.Running); // Nothing queued or running, and nothing ended:
        Assert.DoesNotContain(queue.Finished, finished => finished.Key.Kind == JobKind.Refresh);
        Assert.Equal(1, harness.Fetcher.CountOf(Movie));

        harness.Fetcher.FailingRoutes.TryRemove(harness.Read(Movie).RouteId, out _); // Its circuit half-open: the next stale read refreshes.
        harness.Fetcher.Answer(Movie, 200, "\"v2\"");
        Assert.IsType<ReadResult.Stale>(await harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None));
        await Eventually.TrueAsync(() => harness.Fetcher.CountOf(Movie) == 2, "the refresh once the upstream recovered");
    }

    [Fact]
    public async Task ARefreshQueuedBeforeTheUpstreamWasFoundFailing_EndsSkippedWithoutAFetchOrABackOff()
    {
        await using var harness = await StaleWithinRevalidationAsync();
        Assert.IsType<ReadResult.Stale>(await harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None)); // Queued; the queue is not running yet.
        harness.Fetcher.FailingRoutes[harness.Read(Movie).RouteId] = true;
        var queue = harness.Services.GetRequiredService<QueueMetrics>();

        await harness.StartQueueAsync();

        await Eventually.TrueAsync(() => queue.Finished.GetValueOrDefault((JobKind.Refresh, JobResult.Skipped)) == 1, "the refresh ended");
        Assert.Equal(1, harness.Fetcher.CountOf(Movie));

        // Untried is not failed: no back-off, so the first stale read once the upstream may be tried again refreshes.
        harness.Fetcher.FailingRoutes.TryRemove(harness.Read(Movie).RouteId, out _);
        Assert.IsType<ReadResult.Stale>(await harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None));
        await Eventually.TrueAsync(() => harness.Fetcher.CountOf(Movie) == 2, "the refresh once the upstream recovered");
    }

    [Fact]
    public async Task ReadAsync_UpstreamFailingWithAStaleEntry_AnswersItStale()
    {
        await using var harness = new CacheHarness(CacheHarness.Options(ttl: Instant, staleIfError: TimeSpan.FromHours(1)), CacheHarness.MovieRoute);
        harness.Fetcher.Answer(Movie, 200, "\"v1\"");
        await harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None);
        await Task.Delay(20);
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        harness.Fetcher.Throw(Movie, new HttpRequestException("refused"));

        var result = await harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None);

        var stale = Assert.IsType<ReadResult.Stale>(result);
        Assert.Equal(StaleReason.UpstreamFailed, stale.Reason);
        Assert.Equal("\"v1\"", Encoding.UTF8.GetString(stale.Entry.Body));
        Assert.Equal(TimeSpan.FromMinutes(1), stale.Age);
    }

    [Fact]
    public async Task ReadAsync_UpstreamKnownToBeFailing_AnswersTheStaleEntryWithoutAFill()
    {
        await using var harness = new CacheHarness(CacheHarness.Options(ttl: Instant, staleIfError: TimeSpan.FromHours(1)), CacheHarness.MovieRoute);
        harness.Fetcher.Answer(Movie, 200, "\"v1\"");
        await harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None);
        await Task.Delay(20);
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        harness.Fetcher.FailingRoutes[harness.Read(Movie).RouteId] = true; // Its circuit is open.

        var result = await harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None);

        var stale = Assert.IsType<ReadResult.Stale>(result);
        Assert.Equal(StaleReason.UpstreamFailing, stale.Reason);
        Assert.Equal("\"v1\"", Encoding.UTF8.GetString(stale.Entry.Body));
        Assert.Equal(1, harness.Fetcher.CountOf(Movie)); // No fill was tried.
    }

    [Fact]
    public async Task ReadAsync_UpstreamKnownToBeFailing_ANeverCachedKeyStillTriesItsFill()
    {
        await using var harness = new CacheHarness(CacheHarness.Options(), CacheHarness.MovieRoute);
        harness.Fetcher.Answer(Movie, 200, "\"v1\"");
        harness.Fetcher.FailingRoutes[harness.Read(Movie).RouteId] = true;

        var result = await harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None);

        Assert.IsType<ReadResult.Filled>(result);
    }

    [Fact]
    public async Task ReadAsync_AStaleEntryAPurgeCovers_IsNeverTheFallback()
    {
        await using var harness = new CacheHarness(CacheHarness.Options(ttl: Instant, staleIfError: TimeSpan.FromHours(1)), CacheHarness.MovieRoute);
        harness.Fetcher.Answer(Movie, 200, "\"v1\"");
        await harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None);
        await Task.Delay(20);
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.True(harness.Services.GetRequiredService<PurgeUrls>().TryNormalize(Movie, out var url));
        await harness.Purger.PurgeAsync(PurgeScope.Url, url);
        harness.Fetcher.Throw(Movie, new HttpRequestException("refused"));

        var result = await harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None);

        var failed = Assert.IsType<ReadResult.Failed>(result);
        Assert.Equal(502, failed.Problem.Status);
        Assert.Contains("purged", failed.Problem.Detail, StringComparison.Ordinal);
        Assert.Equal(2, harness.Fetcher.CountOf(Movie));
    }

    [Fact]
    public async Task ReadAsync_APrivateAnswer_GoesOnlyToTheReadThatStartedTheFill()
    {
        await using var harness = new CacheHarness(CacheHarness.Options(), CacheHarness.MovieRoute);
        harness.Fetcher.Answer(Movie, 200, "\"mine\"", new ResponseHeader("Set-Cookie", "session=1"));
        harness.Fetcher.Hold();

        var starter = harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None).AsTask();
        await Eventually.TrueAsync(() => harness.Fetcher.CountOf(Movie) == 1, "the fetch started");
        var joiner = harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None).AsTask();
        harness.Fetcher.Release();

        var own = Assert.IsType<ReadResult.Private>(await starter);
        Assert.Equal("\"mine\"", Encoding.UTF8.GetString(own.Answer.Body));
        Assert.Contains(new ResponseHeader("Set-Cookie", "session=1"), own.Answer.Headers);
        var joined = await joiner;
        Assert.Equal(ForwardReason.NotShared, Assert.IsType<ReadResult.Forward>(joined).Reason);
        Assert.True(joined.Coalesced);
        Assert.Null(joined.Response);
        // Never stored: the next read fetches its own.
        Assert.IsType<ReadResult.Private>(await harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None));
        Assert.Equal(2, harness.Fetcher.CountOf(Movie));
    }

    [Fact]
    public async Task ReadAsync_TooLarge_ForwardsAndRemembersWithoutFetchingAgain()
    {
        await using var harness = new CacheHarness(CacheHarness.Options(), CacheHarness.MovieRoute);
        harness.Fetcher.TooLarge(Movie);

        var first = await harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None);
        var second = await harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None);

        Assert.Equal(ForwardReason.TooLarge, Assert.IsType<ReadResult.Forward>(first).Reason);
        Assert.Equal(ForwardReason.TooLarge, Assert.IsType<ReadResult.Forward>(second).Reason);
        Assert.Equal(1, harness.Fetcher.CountOf(Movie));
        Assert.False(harness.Cache.TryGetFreshFromMemory(harness.Read(Movie).Key, harness.Read(Movie).Policy, out _, out _));
    }

    [Fact]
    public async Task ReadAsync_UpstreamErrorWithNothingStale_FailsWithTheUpstreamsOwnAnswer()
    {
        await using var harness = new CacheHarness(CacheHarness.Options(), CacheHarness.MovieRoute);
        harness.Fetcher.Answer(Movie, 503, """{"status":"down"}""");

        var failed = Assert.IsType<ReadResult.Failed>(await harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None));

        Assert.Equal(UpstreamProblemKind.ErrorAnswer, failed.Problem.Kind);
        Assert.Equal(503, failed.Problem.Status);
        Assert.Equal("""{"status":"down"}""", Encoding.UTF8.GetString(failed.Problem.Answer!.Body!));
    }

    [Fact]
    public async Task ReadAsync_RefusedWithNothingStale_Is503WithItsRetryAfter()
    {
        await using var harness = new CacheHarness(CacheHarness.Options(), CacheHarness.MovieRoute);
        harness.Fetcher.Throw(Movie, new UpstreamRefusedException("tmdb", RefusalReason.RateLimited, TimeSpan.FromSeconds(3)));

        var failed = Assert.IsType<ReadResult.Failed>(await harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None));

        Assert.Equal(UpstreamProblemKind.Refused, failed.Problem.Kind);
        Assert.Equal(503, failed.Problem.Status);
        Assert.Equal(TimeSpan.FromSeconds(3), failed.Problem.RetryAfter);
    }

    [Fact]
    public async Task ReadAsync_NotFound_IsKeptForTheNegativeTtl()
    {
        await using var harness = new CacheHarness(CacheHarness.Options(), CacheHarness.MovieRoute);
        harness.Fetcher.Answer(Movie, 404, """{"status_code":34}""");

        var first = Assert.IsType<ReadResult.Filled>(await harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None));
        var second = Assert.IsType<ReadResult.Hit>(await harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None));

        Assert.Equal(404, first.Entry.StatusCode);
        Assert.Equal(404, second.Entry.StatusCode);
        Assert.Equal(1, harness.Fetcher.CountOf(Movie));
    }

    [Fact]
    public async Task ReadAsync_CredentialsThatKeepOutOfTheCache_AreForwardedWithoutAFetch()
    {
        await using var harness = new CacheHarness(CacheHarness.Options(), CacheHarness.MovieRoute);

        var result = await harness.Cache.ReadAsync(harness.Read(Movie, UpstreamAccess.PassThrough), CancellationToken.None);

        Assert.Equal(ForwardReason.NotCacheable, Assert.IsType<ReadResult.Forward>(result).Reason);
        Assert.Empty(harness.Fetcher.Fetched);
    }

    [Fact]
    public async Task TryGetFreshFromMemory_FollowsTheRuleOfReads()
    {
        await using var harness = new CacheHarness(CacheHarness.Options(staleWhileRevalidate: TimeSpan.FromHours(1)), CacheHarness.MovieRoute);
        harness.Fetcher.Answer(Movie, 200, "\"v1\"");
        var read = harness.Read(Movie);
        await harness.Cache.ReadAsync(read, CancellationToken.None);

        harness.Time.Advance(TimeSpan.FromMinutes(59));
        Assert.True(harness.Cache.TryGetFreshFromMemory(read.Key, read.Policy, out var entry, out var age));
        Assert.Equal(TimeSpan.FromMinutes(59), age);
        Assert.Equal(200, entry.StatusCode);

        harness.Time.Advance(TimeSpan.FromMinutes(2));
        Assert.False(harness.Cache.TryGetFreshFromMemory(read.Key, read.Policy, out _, out _));
        Assert.IsType<ReadResult.Stale>(await harness.Cache.ReadAsync(read, CancellationToken.None));
    }

    // "v1" filled, then 90 minutes on: within a two-hour stale-while-revalidate window, the background queue not started.
    private static async Task<CacheHarness> StaleWithinRevalidationAsync()
    {
        var harness = new CacheHarness(CacheHarness.Options(staleWhileRevalidate: TimeSpan.FromHours(2)), CacheHarness.MovieRoute);
        harness.Fetcher.Answer(Movie, 200, "\"v1\"");
        await harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None);
        harness.Time.Advance(TimeSpan.FromMinutes(90));
        return harness;
    }
}

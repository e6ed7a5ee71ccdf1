using System.Text;
using EnrichProxy.Caching;
using EnrichProxy.Caching.Http;
using EnrichProxy.Caching.Purging;
using EnrichProxy.Tests.Support;
using EnrichProxy.Upstreams;
using Microsoft.Extensions.DependencyInjection;

namespace EnrichProxy.Tests.Caching;

/// <summary>Expired entries with a validator are revalidated with a conditional request, in fills and background refreshes alike.</summary>
public sealed class RevalidationTests
{
    private const string Movie = "/tmdb/3/movie/603";
    private const string ETag = "\"v1\"";

    // Expired at once in FusionCache's own (real) clock, so that the next read goes to the upstream with the stale entry at hand.
    private static readonly TimeSpan Instant = TimeSpan.FromMilliseconds(1);

    [Fact]
    public async Task ReadAsync_AnExpiredEntryWithAnETag_IsRevalidated_AndA304KeepsItsBodyWithTheNewHeaders()
    {
        await using var harness = new CacheHarness(CacheHarness.Options(ttl: Instant, staleIfError: TimeSpan.FromHours(1)), CacheHarness.MovieRoute);
        harness.Fetcher.Answer(Movie, 200, "\"body v1\"", new ResponseHeader("ETag", ETag), new ResponseHeader("Cache-Control", "max-age=60"));
        await harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None);
        await Task.Delay(20);
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        UpstreamRequest? sent = null;
        harness.Fetcher.Answer(Movie, request =>
        {
            sent = request;
            return NotModified(harness, new ResponseHeader("ETag", ETag), new ResponseHeader("Cache-Control", "max-age=120"));
        });

        var result = await harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None);

        Assert.Equal(ETag, sent?.HeaderValue("If-None-Match"));
        var filled = Assert.IsType<ReadResult.Filled>(result);
        Assert.Equal(200, filled.Entry.StatusCode);
        Assert.Equal("\"body v1\"", Encoding.UTF8.GetString(filled.Entry.Body));
        Assert.Equal("max-age=120", Assert.Single(filled.Entry.Headers, h => h.Name == "Cache-Control").Value);
        Assert.Equal("application/json", Assert.Single(filled.Entry.Headers, h => h.Name == "Content-Type").Value);
        Assert.Equal(harness.Time.GetUtcNow(), filled.Entry.StoredAt); // Its age starts again.
        Assert.Equal(new FetchReport(304, Stored: true, ReplacedStale: true), filled.Fetch);
        Assert.Equal("EnrichProxy; fwd=stale; fwd-status=304; stored; ttl=0", CacheStatus.Of(filled, harness.Read(Movie).Policy));
    }

    [Fact]
    public async Task ReadAsync_ALastModifiedOnly_IsSentAsIfModifiedSince_AndANewAnswerReplacesTheEntry()
    {
        await using var harness = new CacheHarness(CacheHarness.Options(ttl: Instant, staleIfError: TimeSpan.FromHours(1)), CacheHarness.MovieRoute);
        harness.Fetcher.Answer(Movie, 200, "\"body v1\"", new ResponseHeader("Last-Modified", "Mon, 23 Nov 2026 10:00:00 GMT"));
        await harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None);
        await Task.Delay(20);
        UpstreamRequest? sent = null;
        harness.Fetcher.Answer(Movie, request =>
        {
            sent = request;
            return Ok(harness, "\"body v2\"");
        });

        var result = await harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None);

        Assert.Equal("Mon, 23 Nov 2026 10:00:00 GMT", sent?.HeaderValue("If-Modified-Since"));
        Assert.Null(sent?.HeaderValue("If-None-Match"));
        Assert.Equal("\"body v2\"", Encoding.UTF8.GetString(Assert.IsType<ReadResult.Filled>(result).Entry.Body));
    }

    [Fact]
    public async Task ReadAsync_AnEntryWithoutValidators_OrAPurgedOne_IsFetchedWhole()
    {
        await using var harness = new CacheHarness(CacheHarness.Options(ttl: Instant, staleIfError: TimeSpan.FromHours(1)), CacheHarness.MovieRoute);
        harness.Fetcher.Answer(Movie, 200, "\"body v1\"");
        await harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None);
        await Task.Delay(20);
        await harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None);
        Assert.DoesNotContain(harness.Fetcher.Fetched, f => f.Request.HeaderValue("If-None-Match") is not null || f.Request.HeaderValue("If-Modified-Since") is not null);

        harness.Fetcher.Answer(Movie, 200, "\"body v2\"", new ResponseHeader("ETag", ETag));
        await Task.Delay(20);
        await harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None); // Stored with its ETag.
        harness.Time.Advance(TimeSpan.FromSeconds(1));
        await harness.Purger.PurgeAsync(PurgeScope.Url, harness.Services.GetRequiredService<PurgeUrls>().PartOf(Movie, string.Empty));
        harness.Time.Advance(TimeSpan.FromSeconds(1));
        await Task.Delay(20);
        await harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None);

        Assert.Null(harness.Fetcher.Fetched.Last().Request.HeaderValue("If-None-Match"));
    }

    [Fact]
    public async Task RefreshInTheBackground_RevalidatesTheStaleEntry_AndA304MakesItFreshAgain()
    {
        await using var harness = new CacheHarness(CacheHarness.Options(staleWhileRevalidate: TimeSpan.FromHours(2)), CacheHarness.MovieRoute);
        harness.Fetcher.Answer(Movie, 200, "\"body v1\"", new ResponseHeader("ETag", ETag));
        await harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None);
        await harness.StartQueueAsync();
        harness.Fetcher.Answer(Movie, request => request.HeaderValue("If-None-Match") == ETag ? NotModified(harness) : Ok(harness, "\"unexpected\""));
        harness.Time.Advance(TimeSpan.FromMinutes(90));

        var stale = Assert.IsType<ReadResult.Stale>(await harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None));

        Assert.Equal(StaleReason.Revalidating, stale.Reason);
        await Eventually.TrueAsync(() => harness.Cache.TryGetFreshFromMemory(harness.Read(Movie).Key, harness.Read(Movie).Policy, out _, out _), "the refresh stored");
        var hit = Assert.IsType<ReadResult.Hit>(await harness.Cache.ReadAsync(harness.Read(Movie), CancellationToken.None));
        Assert.Equal("\"body v1\"", Encoding.UTF8.GetString(hit.Entry.Body));
        Assert.Equal(TimeSpan.Zero, hit.Age);
        Assert.Equal(2, harness.Fetcher.CountOf(Movie));
    }

    [Fact]
    public void Refreshed_TakesTheHeadersOfThe304_ButNeverThoseThatDescribeItsMissingBody()
    {
        var stored = new CachedResponse
        {
            StatusCode = 200,
            Headers = [new("Content-Type", "image/jpeg"), new("ETag", ETag), new("Link", "<a>"), new("Link", "<b>"), new("Cache-Control", "max-age=60")],
            Body = [1, 2, 3],
            StoredAt = DateTimeOffset.UnixEpoch,
        };
        var notModified = new UpstreamAnswer
        {
            StatusCode = 304,
            Headers = [new("Cache-Control", "max-age=600"), new("Content-Encoding", "gzip"), new("ETag", "\"v2\"")],
            Body = [],
            ReceivedAt = DateTimeOffset.UnixEpoch.AddDays(1),
        };

        var refreshed = Revalidation.Refreshed(stored, notModified);

        Assert.Equal(200, refreshed.StatusCode);
        Assert.Equal([1, 2, 3], refreshed.Body);
        Assert.Equal(
            ["Content-Type: image/jpeg", "Link: <a>", "Link: <b>", "Cache-Control: max-age=600", "ETag: \"v2\""],
            refreshed.Headers.Select(h => $"{h.Name}: {h.Value}"));
        Assert.Equal(DateTimeOffset.UnixEpoch.AddDays(1), refreshed.ReceivedAt);
    }

    [Fact]
    public void Conditional_IsOnlyMadeForAnswersWithAValidator()
    {
        var request = new UpstreamRequest("tmdb-movie", Movie, string.Empty, [], UpstreamAccess.ProxyKey);
        CachedResponse Stored(int status, params ResponseHeader[] headers) => new() { StatusCode = status, Headers = headers, Body = [], StoredAt = DateTimeOffset.UnixEpoch };

        Assert.Null(Revalidation.Conditional(request, Stored(200)));
        Assert.Null(Revalidation.Conditional(request, Stored(404, new ResponseHeader("ETag", ETag))));
        Assert.Null(Revalidation.Conditional(request, CachedResponse.TooLarge(DateTimeOffset.UnixEpoch)));
        Assert.Equal(ETag, Revalidation.Conditional(request, Stored(200, new ResponseHeader("ETag", ETag)))?.HeaderValue("If-None-Match"));
    }

    private static UpstreamAnswer NotModified(CacheHarness harness, params ResponseHeader[] headers) => new()
    {
        StatusCode = 304,
        Headers = headers,
        Body = [],
        SentAt = harness.Time.GetUtcNow(),
        ReceivedAt = harness.Time.GetUtcNow(),
    };

    private static UpstreamAnswer Ok(CacheHarness harness, string body) => new()
    {
        StatusCode = 200,
        Headers = [new ResponseHeader("Content-Type", "application/json")],
        Body = Encoding.UTF8.GetBytes(body),
        SentAt = harness.Time.GetUtcNow(),
        ReceivedAt = harness.Time.GetUtcNow(),
    };
}

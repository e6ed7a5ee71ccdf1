using EnrichProxy.Caching.Purging;
using EnrichProxy.Configuration;
using EnrichProxy.Enrichment;
using EnrichProxy.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace EnrichProxy.Tests.Enrichment;

/// <summary>The priority chain over the real read path, with fake upstreams (Radarr, TMDb) and a fake clock.</summary>
public sealed class ItemResolverTests
{
    private const string Library = "/radarr/api/v3/movie";
    private const string Tmdb = "/tmdb/3/movie/603";
    private static readonly ItemKey Matrix = new(ItemKind.Movies, "603");

    [Fact]
    public async Task ResolveAsync_ALibraryMovie_TakesTheLibraryFirstTheRestFromTmdb_ThenAnswersFromTheCache()
    {
        await using var harness = Harness(TimeSpan.FromHours(1));
        harness.Fetcher.Answer(Library, 200, """[{"tmdbId":603,"title":"The Matrix (library)","year":1999,"monitored":true,"hasFile":true}]""");
        harness.Fetcher.Answer(Tmdb, 200, """{"id":603,"imdb_id":"tt0133093","title":"The Matrix","overview":"A hacker learns the truth."}""");

        var first = await harness.Resolver.ResolveAsync(ItemKinds.Movies, Matrix, fields: null, DocumentView.Library, CancellationToken.None);
        var second = await harness.Resolver.ResolveAsync(ItemKinds.Movies, Matrix, fields: null, DocumentView.Library, CancellationToken.None);

        Assert.Equal(EnrichmentOutcome.Found, first.Outcome);
        Assert.Equal(Tiers.Arr, first.Source);
        Assert.Equal("The Matrix (library)", first.Document!["title"]!.GetValue<string>());
        Assert.Equal("A hacker learns the truth.", first.Document["overview"]!.GetValue<string>());
        Assert.Equal("external", first.Document["sources"]!["overview"]!.GetValue<string>());
        Assert.Equal("tt0133093", first.Document["ids"]!["imdb"]!.GetValue<string>());
        Assert.True(first.Document["complete"]!.GetValue<bool>());
        Assert.Equal(Tiers.Cache, second.Source);
        Assert.Equal(1, harness.Fetcher.CountOf(Tmdb));
    }

    [Fact]
    public async Task ResolveAsync_DuringAnOutage_NeverUsesAnAnswerPurgedBeforeIt()
    {
        // Expired at once in FusionCache's clock: the next read asks TMDb, and fail-safe has the old answer.
        await using var harness = Harness(TimeSpan.FromMilliseconds(1));
        harness.Fetcher.Answer(Library, 200, "[]");
        harness.Fetcher.Answer(Tmdb, 200, """{"id":603,"title":"Wrong title"}""");
        var tmdbRead = harness.Reads.ForRoute("tmdb-movie", Tmdb, "?append_to_response=credits,images")!;
        await harness.Cache.ReadAsync(tmdbRead, CancellationToken.None);
        await Task.Delay(20);
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.True(harness.Services.GetRequiredService<PurgeUrls>().TryNormalize(Tmdb + "?append_to_response=credits,images", out var url));
        await harness.Purger.PurgeAsync(PurgeScope.Url, url);
        harness.Fetcher.Throw(Tmdb, new HttpRequestException("TMDb is down"));

        var answer = await harness.Resolver.ResolveAsync(ItemKinds.Movies, Matrix, fields: null, DocumentView.Library, CancellationToken.None);

        Assert.Equal(EnrichmentOutcome.Failed, answer.Outcome);
        Assert.Equal([Tiers.External], answer.FailedTiers);
        Assert.Equal(2, harness.Fetcher.CountOf(Tmdb));
    }

    [Fact]
    public async Task ResolveAsync_AMovieNobodyKnows_IsNotFound()
    {
        await using var harness = Harness(TimeSpan.FromHours(1));
        harness.Fetcher.Answer(Library, 200, "[]");
        harness.Fetcher.Answer(Tmdb, 404, """{"status_code":34}""");

        var answer = await harness.Resolver.ResolveAsync(ItemKinds.Movies, Matrix, fields: null, DocumentView.Library, CancellationToken.None);

        Assert.Equal(EnrichmentOutcome.NotFound, answer.Outcome);
        Assert.Empty(answer.FailedTiers);
    }

    // Radarr (with a key) and TMDb, both cached with the test policy; radarr only when the library is asked.
    private static CacheHarness Harness(TimeSpan ttl)
    {
        var options = CacheHarness.Options(ttl: ttl, staleIfError: TimeSpan.FromHours(1));
        options.Upstreams["radarr"] = new UpstreamOptions { Kind = UpstreamKind.Arr, ApiKey = "radarr-key-0123456789" };
        return new CacheHarness(options, CacheHarness.MovieRoute, FakeProxyState.Route("radarr-movie", "radarr", Library, "test"));
    }
}

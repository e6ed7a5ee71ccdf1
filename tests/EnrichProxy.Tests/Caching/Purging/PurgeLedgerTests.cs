using EnrichProxy.Caching.Purging;

namespace EnrichProxy.Tests.Caching.Purging;

public sealed class PurgeLedgerTests
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void AMarker_CoversWhatWasStoredUpToItsTime_OfItsScopeAndValueOnly()
    {
        var ledger = new PurgeLedger();
        Assert.True(ledger.IsEmpty);

        Assert.True(ledger.Apply(new PurgeMarker(PurgeScope.Tag, "tmdb:movie:603", Noon)));

        Assert.False(ledger.IsEmpty);
        Assert.True(ledger.Covers(PurgeScope.Tag, "tmdb:movie:603", Noon.AddMinutes(-1)));
        Assert.True(ledger.Covers(PurgeScope.Tag, "tmdb:movie:603", Noon));
        Assert.False(ledger.Covers(PurgeScope.Tag, "tmdb:movie:603", Noon.AddTicks(1)));
        Assert.False(ledger.Covers(PurgeScope.Tag, "tmdb:movie:604", Noon.AddMinutes(-1)));
        Assert.False(ledger.Covers(PurgeScope.Route, "tmdb:movie:603", Noon.AddMinutes(-1)));
    }

    [Fact]
    public void Apply_KeepsTheLaterMarker_WhicheverArrivesFirst()
    {
        var ledger = new PurgeLedger();

        Assert.True(ledger.Apply(new PurgeMarker(PurgeScope.Route, "tmdb-movie", Noon)));
        Assert.False(ledger.Apply(new PurgeMarker(PurgeScope.Route, "tmdb-movie", Noon.AddMinutes(-5))));
        Assert.False(ledger.Apply(new PurgeMarker(PurgeScope.Route, "tmdb-movie", Noon)));

        Assert.True(ledger.Covers(PurgeScope.Route, "tmdb-movie", Noon));
        Assert.True(ledger.Apply(new PurgeMarker(PurgeScope.Route, "tmdb-movie", Noon.AddMinutes(5))));
        Assert.True(ledger.Covers(PurgeScope.Route, "tmdb-movie", Noon.AddMinutes(4)));
        Assert.Equal(1, ledger.Count);
    }

    [Fact]
    public void Prune_DropsMarkersOlderThanAnyEntryCanLive()
    {
        var ledger = new PurgeLedger();
        ledger.Apply(new PurgeMarker(PurgeScope.Url, "/tmdb/3/movie/603", Noon.AddDays(-40)));
        ledger.Apply(new PurgeMarker(PurgeScope.Url, "/tmdb/3/movie/604", Noon));

        ledger.Prune(Noon.AddDays(-30));

        Assert.Equal(1, ledger.Count);
        Assert.False(ledger.Covers(PurgeScope.Url, "/tmdb/3/movie/603", Noon.AddDays(-41)));
        Assert.True(ledger.Covers(PurgeScope.Url, "/tmdb/3/movie/604", Noon));
    }

    [Fact]
    public void FoldIfFull_FoldsTheOldestTagsIntoTheirPrefix_AndTheOldestUrlsIntoEverything()
    {
        var ledger = new PurgeLedger();
        ledger.Apply(new PurgeMarker(PurgeScope.Url, "/tmdb/3/movie/1", Noon.AddSeconds(-1)));
        for (var i = 0; i < PurgeLedger.MaxMarkers - 1; i++)
        {
            ledger.Apply(new PurgeMarker(PurgeScope.Tag, $"enrich:movies:{i}", Noon.AddSeconds(i)));
        }

        Assert.Empty(ledger.FoldIfFull());
        ledger.Apply(new PurgeMarker(PurgeScope.Tag, "tmdb:movie:last", Noon.AddDays(1)));

        var folds = ledger.FoldIfFull();

        var foldedUpTo = Noon.AddSeconds(PurgeLedger.MaxMarkers - (PurgeLedger.MaxMarkers / 2) - 1);
        Assert.Collection(
            folds.OrderBy(fold => fold.Scope),
            everything => Assert.Equal((PurgeScope.Everything, Noon.AddSeconds(-1)), (everything.Scope, everything.PurgedAt)),
            prefix => Assert.Equal((PurgeScope.TagPrefix, "enrich:movies:", foldedUpTo), (prefix.Scope, prefix.Value, prefix.PurgedAt)));
        Assert.InRange(ledger.Count, (PurgeLedger.MaxMarkers / 2) + 1, (PurgeLedger.MaxMarkers / 2) + 3);
        // What the folded markers covered is still purged: the kind's documents up to the fold, and the URL's...
        Assert.True(ledger.CoversTag("enrich:movies:0", Noon));
        Assert.True(ledger.CoversTag("enrich:movies:123456", foldedUpTo));
        Assert.True(ledger.CoversEverything(Noon.AddSeconds(-2)));
        // ...other kinds' tags are not, and the newer markers are kept as they were.
        Assert.False(ledger.CoversTag("tmdb:movie:603", Noon));
        Assert.True(ledger.CoversTag("tmdb:movie:last", Noon.AddHours(12)));
        Assert.True(ledger.CoversTag($"enrich:movies:{PurgeLedger.MaxMarkers - 2}", foldedUpTo.AddSeconds(10)));
        Assert.Empty(ledger.FoldIfFull());
    }

    [Fact]
    public void AnEverythingMarker_CoversEveryScopeUpToItsTime()
    {
        var ledger = new PurgeLedger();

        Assert.False(ledger.CoversEverything(Noon));
        ledger.Apply(new PurgeMarker(PurgeScope.Everything, PurgeMarker.EverythingValue, Noon));

        Assert.True(ledger.CoversEverything(Noon.AddMinutes(-1)));
        Assert.False(ledger.CoversEverything(Noon.AddTicks(1)));
        Assert.Equal("everything", PurgeMarker.ScopeName(PurgeScope.Everything));
    }

    [Fact]
    public void CoveredByFolds_NamesTheMarkersAFoldMakesRedundant()
    {
        var markers = new[]
        {
            new PurgeMarker(PurgeScope.TagPrefix, "enrich:movies:", Noon),
            new PurgeMarker(PurgeScope.Tag, "enrich:movies:1", Noon.AddMinutes(-1)),
            new PurgeMarker(PurgeScope.Tag, "enrich:movies:2", Noon.AddMinutes(1)),
            new PurgeMarker(PurgeScope.Tag, "tmdb:movie:1", Noon.AddMinutes(-1)),
            new PurgeMarker(PurgeScope.Everything, PurgeMarker.EverythingValue, Noon.AddMinutes(-5)),
            new PurgeMarker(PurgeScope.Url, "/tmdb/3/movie/1", Noon.AddMinutes(-6)),
            new PurgeMarker(PurgeScope.Route, "tmdb-movie", Noon.AddMinutes(-4)),
        };

        var covered = PurgeLedger.CoveredByFolds(markers);

        Assert.Equal(["enrich:movies:1", "/tmdb/3/movie/1"], covered.Select(m => m.Value));
        Assert.Empty(PurgeLedger.CoveredByFolds([new PurgeMarker(PurgeScope.Tag, "enrich:movies:1", Noon)]));
    }
}

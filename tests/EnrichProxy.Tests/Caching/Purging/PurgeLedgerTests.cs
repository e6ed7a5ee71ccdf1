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
    public void FoldIfFull_FoldsTheOldestHalfIntoOneMarkerThatCoversEverythingUpToIt()
    {
        var ledger = new PurgeLedger();
        for (var i = 0; i < PurgeLedger.MaxMarkers; i++)
        {
            ledger.Apply(new PurgeMarker(PurgeScope.Tag, $"tmdb:movie:{i}", Noon.AddSeconds(i)));
        }

        Assert.Null(ledger.FoldIfFull());
        ledger.Apply(new PurgeMarker(PurgeScope.Tag, "tmdb:movie:last", Noon.AddDays(1)));

        var folded = ledger.FoldIfFull();

        Assert.NotNull(folded);
        Assert.Equal(PurgeScope.Everything, folded.Scope);
        var foldedUpTo = Noon.AddSeconds(PurgeLedger.MaxMarkers - (PurgeLedger.MaxMarkers / 2));
        Assert.Equal(foldedUpTo, folded.PurgedAt);
        Assert.InRange(ledger.Count, (PurgeLedger.MaxMarkers / 2) + 1, (PurgeLedger.MaxMarkers / 2) + 2);
        // What the folded markers covered is still purged (and so is everything else stored by then)...
        Assert.True(ledger.CoversEverything(Noon));
        Assert.True(ledger.CoversEverything(foldedUpTo));
        Assert.False(ledger.CoversEverything(foldedUpTo.AddTicks(1)));
        // ...and the newer markers are kept as they were.
        Assert.True(ledger.Covers(PurgeScope.Tag, "tmdb:movie:last", Noon.AddHours(12)));
        Assert.True(ledger.Covers(PurgeScope.Tag, $"tmdb:movie:{PurgeLedger.MaxMarkers - 1}", foldedUpTo.AddSeconds(10)));
        Assert.False(ledger.Covers(PurgeScope.Tag, "tmdb:movie:0", Noon));
        Assert.Null(ledger.FoldIfFull());
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
}

using EnrichProxy.Caching.Purging;

namespace EnrichProxy.Tests.Caching.Purging;

public sealed class DiskPurgeStoreTests : IDisposable
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("enrichproxy-purges-").FullName;

    private string FilePath => Path.Combine(_directory, "purges.json");

    [Fact]
    public async Task Markers_AreReadBackAsWritten_LessThoseTooOldToMatter()
    {
        using var store = new DiskPurgeStore(FilePath);
        PurgeMarker[] markers =
        [
            new(PurgeScope.Url, "/tmdb/3/movie/603?language=en", Noon),
            new(PurgeScope.Route, "tmdb-movie", Noon.AddMinutes(1)),
            new(PurgeScope.Tag, "tmdb:movie:603", Noon.AddDays(-60)),
        ];

        await store.SaveAsync(markers[0], () => markers, Noon.AddDays(-37), CancellationToken.None);
        var read = await new DiskPurgeStore(FilePath).LoadAsync(CancellationToken.None);

        Assert.Equal(markers[..2], read.OrderBy(m => m.PurgedAt));
    }

    [Fact]
    public async Task Load_WithNoFile_FindsNothing_AndSkipsMarkersItCannotUse()
    {
        using var store = new DiskPurgeStore(FilePath);
        Assert.Empty(await store.LoadAsync(CancellationToken.None));

        await File.WriteAllTextAsync(FilePath, """
            [ null, {"scope":"Tag","value":"","purgedAt":"2026-11-25T12:00:00Z"}, {"scope":7,"value":"x","purgedAt":"2026-11-25T12:00:00Z"},
              {"scope":"Route","value":"tmdb-movie","purgedAt":"2026-11-25T12:00:00Z"} ]
            """);

        var marker = Assert.Single(await store.LoadAsync(CancellationToken.None));
        Assert.Equal(new PurgeMarker(PurgeScope.Route, "tmdb-movie", Noon), marker);
    }

    [Fact]
    public async Task ConcurrentSaves_KeepEveryMarker()
    {
        using var store = new DiskPurgeStore(FilePath);
        var ledger = new PurgeLedger();

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            var marker = new PurgeMarker(PurgeScope.Tag, $"tmdb:movie:{i}", Noon);
            ledger.Apply(marker);
            await store.SaveAsync(marker, () => [.. ledger.Markers], Noon.AddDays(-1), CancellationToken.None);
        })));

        Assert.Equal(20, (await store.LoadAsync(CancellationToken.None)).Count);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}

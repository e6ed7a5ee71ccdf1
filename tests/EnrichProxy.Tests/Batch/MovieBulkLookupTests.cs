using System.Text;
using System.Text.Json;
using EnrichProxy.Batch;

namespace EnrichProxy.Tests.Batch;

public sealed class MovieBulkLookupTests
{
    [Fact]
    public void TryReadMovies_SplitsTheArrayIntoEachMoviesOwnJson()
    {
        // Radarr's MovieResource: TmdbId in PascalCase, as api.radarr.video answers it.
        var body = Encoding.UTF8.GetBytes("""[{"TmdbId":603,"Title":"The Matrix","Images":[]},{"tmdbId":604,"Title":"Reloaded"}]""");

        Assert.True(MovieBulkLookup.TryReadMovies(body, out var movies));

        Assert.Equal([603, 604], movies.Select(m => m.Id));
        using var first = JsonDocument.Parse(movies[0].Body);
        Assert.Equal("The Matrix", first.RootElement.GetProperty("Title").GetString());
        Assert.Equal(JsonValueKind.Array, first.RootElement.GetProperty("Images").ValueKind);
    }

    [Fact]
    public void TryReadMovies_SkipsElementsWithoutAUsableId()
    {
        var body = Encoding.UTF8.GetBytes("""[{"Title":"no id"},{"TmdbId":"603"},42,{"TmdbId":605}]""");

        Assert.True(MovieBulkLookup.TryReadMovies(body, out var movies));

        Assert.Equal(605, Assert.Single(movies).Id);
    }

    [Theory]
    [InlineData("""{"TmdbId":603}""")]
    [InlineData("<html>Just a moment...</html>")]
    [InlineData("[{\"TmdbId\":603")]
    public void TryReadMovies_AnythingButAnArray_IsRefused(string body)
    {
        Assert.False(MovieBulkLookup.TryReadMovies(Encoding.UTF8.GetBytes(body), out _));
    }

    [Fact]
    public void TryReadMovies_NoBody_IsRefused()
    {
        Assert.False(MovieBulkLookup.TryReadMovies(null, out _));
    }
}

using EnrichProxy.Caching.Purging;
using EnrichProxy.Configuration;
using Microsoft.Extensions.Options;

namespace EnrichProxy.Tests.Caching.Purging;

public sealed class PurgeUrlsTests
{
    private readonly PurgeUrls _urls = new(Options.Create(new EnrichProxyOptions
    {
        Policies = new(StringComparer.OrdinalIgnoreCase) { ["search"] = new CachePolicyOptions { Ttl = TimeSpan.FromMinutes(1), IgnoreQueryParameters = ["utm_source"] } },
        Upstreams = new(StringComparer.OrdinalIgnoreCase) { ["fanart"] = new UpstreamOptions { ApiKeyName = "client_key" } },
    }));

    [Theory]
    [InlineData("/tmdb/3/movie/603", "/tmdb/3/movie/603")]
    [InlineData("/tmdb/3/movie/603?page=1&language=en", "/tmdb/3/movie/603?language=en&page=1")]
    [InlineData("/tmdb/3/movie/603?api_key=secret&language=en", "/tmdb/3/movie/603?language=en")]
    [InlineData("/fanart/v3/movies/603?client_key=secret&apikey=other", "/fanart/v3/movies/603")]
    [InlineData("/tmdb/3/search/movie?query=matrix&utm_source=feed", "/tmdb/3/search/movie?query=matrix")]
    [InlineData("https://proxy.example:5080/tmdb/3/movie/603?language=en#top", "/tmdb/3/movie/603?language=en")]
    [InlineData("/musicbrainz/ws/2/artist/a%20b?inc=url-rels", "/musicbrainz/ws/2/artist/a%20b?inc=url-rels")]
    public void TryNormalize_GivesTheKeysUrlPart(string url, string expected)
    {
        Assert.True(_urls.TryNormalize(url, out var part));
        Assert.Equal(expected, part);
    }

    [Fact]
    public void TryNormalize_AgreesWithWhatRequestsAreCheckedAgainst()
    {
        Assert.True(_urls.TryNormalize("/tmdb/3/movie/603?language=en&api_key=x", out var part));

        Assert.Equal(part, _urls.PartOf("/tmdb/3/movie/603", "?api_key=y&language=en"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("tmdb/3/movie/603")]
    [InlineData("//evil.example/tmdb")]
    [InlineData("ftp://host/tmdb/3/movie/603")]
    public void TryNormalize_RejectsWhatIsNotARequestTarget(string? url)
    {
        Assert.False(_urls.TryNormalize(url, out _));
    }
}

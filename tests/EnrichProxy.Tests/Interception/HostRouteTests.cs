using EnrichProxy.Interception;

namespace EnrichProxy.Tests.Interception;

public sealed class HostRouteTests
{
    [Theory]
    [InlineData("/v1/movie/603", "/radarr-metadata/movie/603")]
    [InlineData("/v1/search?q=matrix&year=1999", "/radarr-metadata/search?q=matrix&year=1999")]
    [InlineData("/v1", "/radarr-metadata/")]
    [InlineData("/v1?x=1", "/radarr-metadata/?x=1")]
    [InlineData("/v1/", "/radarr-metadata/")]
    [InlineData("/v10/movie/603", null)]
    [InlineData("/v2/movie/603", null)]
    [InlineData("/", null)]
    public void ToPrefixRoute_UnderTheBasePath(string target, string? expected)
    {
        Assert.Equal(expected, new HostRoute("radarr-metadata", "/v1").ToPrefixRoute(target));
    }

    [Theory]
    [InlineData("/3/movie/603?language=en", "/tmdb/3/movie/603?language=en")]
    [InlineData("/", "/tmdb/")]
    public void ToPrefixRoute_WithoutABasePath_TakesEveryTarget(string target, string expected)
    {
        Assert.Equal(expected, new HostRoute("tmdb", string.Empty).ToPrefixRoute(target));
    }
}

using EnrichProxy.Caching.Purging;

namespace EnrichProxy.Tests.Caching.Purging;

public sealed class PurgeSpellingTests
{
    [Theory]
    [InlineData("642", "642")]
    [InlineData("0642", "642")]
    [InlineData("+642", "642")]
    [InlineData("+000642", "642")]
    [InlineData("0", "0")]
    [InlineData("000", "0")]
    [InlineData("-642", "-642")]
    [InlineData("tt0133093", "tt0133093")]
    [InlineData("0a", "0a")]
    [InlineData("", "")]
    [InlineData("+", "+")]
    public void Number_WritesWholeNumbersWithoutLeadingZerosOrSign(string value, string expected) =>
        Assert.Equal(expected, PurgeSpelling.Number(value));

    [Theory]
    [InlineData("/tmdb/3/movie/0642", "/tmdb/3/movie/642")]
    [InlineData("/radarr/api/v3/Movie/+0603", "/radarr/api/v3/movie/603")]
    [InlineData("/tmdb/3/movie/642/credits", "/tmdb/3/movie/642/credits")]
    [InlineData("/", "/")]
    public void Path_IsLowerCaseWithNumbersInOneSpelling(string path, string expected) =>
        Assert.Equal(expected, PurgeSpelling.Path(path));
}

using EnrichProxy.Caching;

namespace EnrichProxy.Tests.Caching;

public sealed class HeaderRulesTests
{
    [Fact]
    public void StoredResponseHeaders_DropPerConnectionHeadersAndCookies()
    {
        var headers = new HeaderDictionary
        {
            ["Content-Type"] = "application/json",
            ["ETag"] = "\"v1\"",
            ["Set-Cookie"] = "session=1",
            ["Age"] = "30",
            ["Date"] = "Wed, 25 Nov 2026 10:00:00 GMT",
            ["Content-Length"] = "10",
            ["Connection"] = "keep-alive",
            ["X-Cache"] = "HIT",
        };

        var stored = HeaderRules.StoredResponseHeaders(headers);

        Assert.Equal(["Content-Type", "ETag"], stored.Select(h => h.Name));
    }

    [Fact]
    public void StoredResponseHeaders_KeepEveryValueOfARepeatedHeader()
    {
        var headers = new HeaderDictionary { ["Link"] = new(["<a>; rel=next", "<b>; rel=last"]) };

        var stored = HeaderRules.StoredResponseHeaders(headers);

        Assert.Equal(2, stored.Length);
    }

    [Theory]
    [InlineData("public, max-age=3600", false, false)]
    [InlineData("no-store", false, true)]
    [InlineData("NO-CACHE", false, true)]
    [InlineData("private", false, true)]
    [InlineData(null, false, false)]
    [InlineData("no-cache, no-store", true, false)]
    [InlineData("private, no-store", true, true)]
    public void OriginForbidsSharing(string? cacheControl, bool overrideNoStore, bool expected)
    {
        Assert.Equal(expected, HeaderRules.OriginForbidsSharing(cacheControl, overrideNoStore));
    }

    [Fact]
    public void FormatAge_IsWholeSecondsNeverNegative()
    {
        Assert.Equal("0", CacheHeaders.FormatAge(TimeSpan.FromSeconds(-3)));
        Assert.Equal("59", CacheHeaders.FormatAge(TimeSpan.FromSeconds(59.9)));
        Assert.Equal("86400", CacheHeaders.FormatAge(TimeSpan.FromDays(1)));
    }
}

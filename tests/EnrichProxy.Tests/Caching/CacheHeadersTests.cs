using EnrichProxy.Caching;

namespace EnrichProxy.Tests.Caching;

public sealed class CacheHeadersTests
{
    [Fact]
    public void FormatAge_IsWholeSecondsNeverNegative()
    {
        Assert.Equal("0", CacheHeaders.FormatAge(TimeSpan.FromSeconds(-3)));
        Assert.Equal("59", CacheHeaders.FormatAge(TimeSpan.FromSeconds(59.9)));
        Assert.Equal("86400", CacheHeaders.FormatAge(TimeSpan.FromDays(1)));
    }
}

using EnrichProxy.Caching;

namespace EnrichProxy.Tests.Caching;

public sealed class CachePolicyTests
{
    [Fact]
    public void EntryOptions_KeepTheEntryForTheLongerStaleWindow()
    {
        var policy = TestPolicies.Create(ttl: TimeSpan.FromHours(24), staleWhileRevalidate: TimeSpan.FromHours(1), staleIfError: TimeSpan.FromDays(7));

        Assert.Equal(TimeSpan.FromHours(25), policy.EntryOptions.Duration);
        Assert.True(policy.EntryOptions.IsFailSafeEnabled);
        Assert.Equal(TimeSpan.FromDays(8), policy.EntryOptions.FailSafeMaxDuration);
    }

    [Fact]
    public void EntryOptions_WithoutStaleWindows_DisableFailSafe()
    {
        var policy = TestPolicies.Create(ttl: TimeSpan.FromMinutes(5));

        Assert.False(policy.EntryOptions.IsFailSafeEnabled);
        Assert.Equal(TimeSpan.FromMinutes(5), policy.EntryOptions.Duration);
    }

    [Fact]
    public void VaryByHeaders_AreNormalisedSortedAndUnique()
    {
        var policy = TestPolicies.Create(vary: ["X-B", "accept-language", "Accept-Language"]);

        Assert.Equal(["accept-language", "x-b"], policy.VaryByHeaders);
    }
}

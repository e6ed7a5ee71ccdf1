using EnrichProxy.Caching;

namespace EnrichProxy.Tests.Caching;

public sealed class FreshnessTests
{
    private static readonly DateTimeOffset StoredAt = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(0, nameof(EntryState.Fresh))]
    [InlineData(10, nameof(EntryState.Fresh))]
    [InlineData(14, nameof(EntryState.Revalidate))]
    [InlineData(15, nameof(EntryState.Revalidate))]
    [InlineData(16, nameof(EntryState.StaleAfterFailure))]
    public void Of_FreshThenRevalidateUntilTtlPlusWindowThenOnlyAfterAFailure(int minutes, string expected)
    {
        var policy = TestPolicies.Create(ttl: TimeSpan.FromMinutes(10), staleWhileRevalidate: TimeSpan.FromMinutes(5), staleIfError: TimeSpan.FromHours(1));
        var entry = new CachedResponse { StatusCode = 200, Headers = [], Body = [], StoredAt = StoredAt };

        var state = Freshness.Of(entry, policy, StoredAt.AddMinutes(minutes), out var age);

        Assert.Equal(Enum.Parse<EntryState>(expected), state);
        Assert.Equal(TimeSpan.FromMinutes(minutes), age);
    }

    [Theory]
    [InlineData(404, 0, nameof(EntryState.Fresh))]
    [InlineData(404, 2, nameof(EntryState.Fresh))]
    [InlineData(410, 3, nameof(EntryState.Expired))]
    [InlineData(404, 12, nameof(EntryState.Expired))]
    [InlineData(404, 60, nameof(EntryState.Expired))]
    public void Of_ANotFound_IsFreshForTheNegativeTtl_ThenNeverStale(int status, int minutes, string expected)
    {
        var policy = TestPolicies.Create(ttl: TimeSpan.FromMinutes(10), staleWhileRevalidate: TimeSpan.FromMinutes(5), staleIfError: TimeSpan.FromHours(1), negativeTtl: TimeSpan.FromMinutes(2));
        var entry = new CachedResponse { StatusCode = status, Headers = [], Body = [], StoredAt = StoredAt };

        Assert.Equal(Enum.Parse<EntryState>(expected), Freshness.Of(entry, policy, StoredAt.AddMinutes(minutes), out _));
    }
}

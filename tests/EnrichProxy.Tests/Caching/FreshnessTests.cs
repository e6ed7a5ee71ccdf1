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
}

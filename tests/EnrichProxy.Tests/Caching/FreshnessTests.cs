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

    [Theory]
    [InlineData(200, 0)]
    [InlineData(404, 0)]
    [InlineData(200, 3)]
    [InlineData(404, 3)]
    [InlineData(200, 60)]
    public void FreshUntil_IsTheLastInstantOfFresh(int status, int originMinutes)
    {
        var policy = TestPolicies.Create(ttl: TimeSpan.FromMinutes(10), staleWhileRevalidate: TimeSpan.FromMinutes(5), negativeTtl: TimeSpan.FromMinutes(2));
        var entry = new CachedResponse
        {
            StatusCode = status,
            Headers = [],
            Body = [],
            StoredAt = StoredAt,
            // An origin that said how long (60 minutes: longer than the policy allows), of which the answer had used 1 when it arrived.
            Origin = originMinutes > 0
                ? new(TimeSpan.FromMinutes(originMinutes), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.Zero, MustRevalidate: false)
                : null,
        };

        var until = Freshness.FreshUntil(entry, policy);

        Assert.Equal(originMinutes > 0 ? StoredAt.AddMinutes(-1) : StoredAt, Freshness.AgeBase(entry));
        Assert.Equal(EntryState.Fresh, Freshness.Of(entry, policy, until, out _));
        Assert.NotEqual(EntryState.Fresh, Freshness.Of(entry, policy, until.AddTicks(1), out _));
    }

    [Fact]
    public void FreshUntil_OfALifetimePastTheCalendar_IsItsEnd()
    {
        var policy = TestPolicies.Create(ttl: TimeSpan.MaxValue);
        var entry = new CachedResponse { StatusCode = 200, Headers = [], Body = [], StoredAt = StoredAt };

        Assert.Equal(DateTimeOffset.MaxValue, Freshness.FreshUntil(entry, policy));
    }
}

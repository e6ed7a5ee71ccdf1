using EnrichProxy.Notifications;

namespace EnrichProxy.Tests.Notifications;

public sealed class NotificationGateTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
    private readonly NotificationGate _gate = new(TimeSpan.FromMinutes(5));

    [Fact]
    public void TheNormalStateAtFirstLook_IsNotNews_AFailureAtFirstLookIs()
    {
        Assert.Empty(_gate.Observe([Upstream("closed")], Start));
        Assert.Single(new NotificationGate(TimeSpan.FromMinutes(5)).Observe([Upstream("open")], Start));
    }

    [Fact]
    public void AChange_IsSentAtOnce_ThenNothingAboutItUntilTheQuietPeriodEnds_ThenItsStateThen()
    {
        _gate.Observe([Upstream("closed")], Start);

        var opened = _gate.Observe([Upstream("open")], Start.AddSeconds(10));
        var flaps = Enumerable.Range(1, 20).SelectMany(i => _gate.Observe([Upstream(i % 2 == 0 ? "open" : "closed")], Start.AddSeconds(10 + (i * 10)))).ToList();
        var afterQuiet = _gate.Observe([Upstream("closed")], Start.AddMinutes(5).AddSeconds(11));
        var steady = _gate.Observe([Upstream("closed")], Start.AddMinutes(20));

        Assert.Equal("open", Assert.Single(opened).State);
        Assert.Empty(flaps);
        Assert.Equal("closed", Assert.Single(afterQuiet).State);
        Assert.Empty(steady);
    }

    [Fact]
    public void WhenTheQuietPeriodEnds_OnTheStateLastSent_NothingIsSent()
    {
        _gate.Observe([Upstream("open")], Start);
        _gate.Observe([Upstream("closed")], Start.AddMinutes(1));

        Assert.Empty(_gate.Observe([Upstream("open")], Start.AddMinutes(6)));
    }

    [Fact]
    public void SubjectsAreQuietApart()
    {
        _gate.Observe([Upstream("open", "tmdb")], Start);

        var other = _gate.Observe([Upstream("open", "tmdb"), Upstream("open", "musicbrainz")], Start.AddSeconds(1));

        Assert.Equal("upstream musicbrainz", Assert.Single(other).Subject);
    }

    [Fact]
    public void ASilentState_IsRememberedNotSent_AndStartsAQuietPeriod()
    {
        _gate.Observe([Pause("paused")], Start);

        var ended = _gate.Observe([Pause("none", silent: true)], Start.AddMinutes(6));
        var pausedAgainSoon = _gate.Observe([Pause("paused")], Start.AddMinutes(7));
        var pausedLater = _gate.Observe([Pause("paused")], Start.AddMinutes(12));

        Assert.Empty(ended);
        Assert.Empty(pausedAgainSoon);
        Assert.Single(pausedLater);
    }

    private static Condition Upstream(string state, string id = "tmdb") =>
        new($"upstream {id}", state, "closed", "upstream.circuit." + state, NotificationSeverity.Failure, "t", "m");

    private static Condition Pause(string state, bool silent = false) =>
        new("pause tmdb", state, "none", "upstream.paused", NotificationSeverity.Warning, "t", "m", silent);
}

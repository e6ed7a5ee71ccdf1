using EnrichProxy.Upstreams.Resilience;
using Microsoft.Extensions.Time.Testing;

namespace EnrichProxy.Tests.Upstreams;

public sealed class ConsecutiveFailureBreakerTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Opens_AfterTheFailuresInARow_HoweverManySuccessesCameBefore()
    {
        var breaker = Breaker();
        for (var i = 0; i < 1_000; i++)
        {
            breaker.OnSuccess(isProbe: false);
        }

        Fail(breaker, 4);
        Assert.Equal(CircuitState.Closed, breaker.State);
        Fail(breaker, 1);

        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.True(breaker.IsOpen(out var untilProbe));
        Assert.Equal(TimeSpan.FromSeconds(30), untilProbe);
        Assert.False(breaker.TryEnter(out var retryAfter, out _));
        Assert.Equal(TimeSpan.FromSeconds(30), retryAfter);
    }

    [Fact]
    public void ASuccess_StartsTheCountAgain()
    {
        var breaker = Breaker();

        Fail(breaker, 4);
        breaker.OnSuccess(isProbe: false);
        Fail(breaker, 4);

        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.True(breaker.TryEnter(out _, out var isProbe));
        Assert.False(isProbe);
    }

    [Fact]
    public void AfterTheBreak_OneProbeGoes_AndItsSuccessCloses()
    {
        var breaker = Breaker();
        var changes = new List<TimeSpan>();
        breaker.Changed += changes.Add;
        Fail(breaker, 5);

        Assert.True(breaker.IsOpenOrProbing);
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
        Assert.False(breaker.IsOpen(out _));
        Assert.False(breaker.IsOpenOrProbing); // An attempt now would be the probe.
        Assert.True(breaker.TryEnter(out _, out var isProbe));
        Assert.True(isProbe);
        Assert.True(breaker.IsOpenOrProbing); // Every other attempt is refused until its verdict.
        Assert.False(breaker.TryEnter(out var untilVerdict, out _));
        Assert.True(untilVerdict > TimeSpan.Zero);
        breaker.OnSuccess(isProbe: true);

        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.False(breaker.IsOpenOrProbing);
        Assert.Equal([TimeSpan.FromSeconds(30), TimeSpan.Zero], changes);
    }

    [Fact]
    public void AFailedProbe_OpensForAnotherBreak()
    {
        var breaker = Breaker();
        Fail(breaker, 5);
        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.True(breaker.TryEnter(out _, out var isProbe));
        breaker.OnFailure(isProbe);

        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.False(breaker.TryEnter(out var retryAfter, out _));
        Assert.Equal(TimeSpan.FromSeconds(30), retryAfter);
    }

    [Fact]
    public void AnAbandonedProbe_LetsAnotherProbeGo()
    {
        var breaker = Breaker();
        Fail(breaker, 5);
        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.True(breaker.TryEnter(out _, out var isProbe));
        breaker.OnAbandoned(isProbe);

        Assert.True(breaker.TryEnter(out _, out var again));
        Assert.True(again);
    }

    [Fact]
    public void VerdictsOfAttemptsSentBeforeItOpened_ChangeNothing()
    {
        var breaker = Breaker();
        var changes = 0;
        breaker.Changed += _ => changes++;
        Fail(breaker, 5);
        _time.Advance(TimeSpan.FromSeconds(20));

        breaker.OnFailure(isProbe: false);
        breaker.OnSuccess(isProbe: false);
        breaker.OnAbandoned(isProbe: false);

        Assert.Equal(1, changes);
        Assert.True(breaker.IsOpen(out var untilProbe));
        Assert.Equal(TimeSpan.FromSeconds(10), untilProbe);

        // Half-open: a late answer does not free the probe's slot or decide in its place.
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(breaker.TryEnter(out _, out var isProbe));
        breaker.OnSuccess(isProbe: false);
        breaker.OnAbandoned(isProbe: false);
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
        Assert.False(breaker.TryEnter(out _, out _));
        breaker.OnSuccess(isProbe);
        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    private ConsecutiveFailureBreaker Breaker() => new(5, TimeSpan.FromSeconds(30), _time);

    private static void Fail(ConsecutiveFailureBreaker breaker, int times)
    {
        for (var i = 0; i < times; i++)
        {
            Assert.True(breaker.TryEnter(out _, out var isProbe));
            breaker.OnFailure(isProbe);
        }
    }
}

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
            breaker.OnSuccess();
        }

        Fail(breaker, 4);
        Assert.Equal(CircuitState.Closed, breaker.State);
        Fail(breaker, 1);

        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.False(breaker.TryEnter(out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(30), retryAfter);
    }

    [Fact]
    public void ASuccess_StartsTheCountAgain()
    {
        var breaker = Breaker();

        Fail(breaker, 4);
        breaker.OnSuccess();
        Fail(breaker, 4);

        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.True(breaker.TryEnter(out _));
    }

    [Fact]
    public void AfterTheBreak_OneProbeGoes_AndItsSuccessCloses()
    {
        var breaker = Breaker();
        var changes = new List<TimeSpan>();
        breaker.Changed += changes.Add;
        Fail(breaker, 5);

        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
        Assert.True(breaker.TryEnter(out _));
        Assert.False(breaker.TryEnter(out var untilVerdict));
        Assert.True(untilVerdict > TimeSpan.Zero);
        breaker.OnSuccess();

        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Equal([TimeSpan.FromSeconds(30), TimeSpan.Zero], changes);
    }

    [Fact]
    public void AFailedProbe_OpensForAnotherBreak()
    {
        var breaker = Breaker();
        Fail(breaker, 5);
        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.True(breaker.TryEnter(out _));
        breaker.OnFailure();

        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.False(breaker.TryEnter(out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(30), retryAfter);
    }

    [Fact]
    public void AnAbandonedProbe_LetsAnotherProbeGo()
    {
        var breaker = Breaker();
        Fail(breaker, 5);
        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.True(breaker.TryEnter(out _));
        breaker.OnAbandoned();

        Assert.True(breaker.TryEnter(out _));
    }

    [Fact]
    public void FailuresOfAttemptsStartedBeforeItOpened_DoNotExtendTheBreak()
    {
        var breaker = Breaker();
        var opened = 0;
        breaker.Changed += duration => opened += duration > TimeSpan.Zero ? 1 : 0;
        Fail(breaker, 5);

        _time.Advance(TimeSpan.FromSeconds(20));
        Fail(breaker, 3);

        Assert.Equal(1, opened);
        Assert.False(breaker.TryEnter(out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(10), retryAfter);
    }

    private ConsecutiveFailureBreaker Breaker() => new(5, TimeSpan.FromSeconds(30), _time);

    private static void Fail(ConsecutiveFailureBreaker breaker, int times)
    {
        for (var i = 0; i < times; i++)
        {
            Assert.True(breaker.State != CircuitState.Closed || breaker.TryEnter(out _));
            breaker.OnFailure();
        }
    }
}

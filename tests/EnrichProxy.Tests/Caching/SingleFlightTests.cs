using EnrichProxy.Background;
using EnrichProxy.Caching;

namespace EnrichProxy.Tests.Caching;

public sealed class SingleFlightTests
{
    [Fact]
    public async Task Run_ConcurrentCallersForOneKey_ShareOneExecution()
    {
        var flights = new SingleFlight<int>();
        var release = new TaskCompletionSource();
        var executions = 0;

        var calls = Enumerable.Range(0, 50)
            .Select(_ => flights.Run("k", 0, async _ =>
            {
                Interlocked.Increment(ref executions);
                await release.Task;
                return 42;
            }))
            .ToList();
        release.SetResult();
        var results = await Task.WhenAll(calls.Select(c => c.Task));

        Assert.Equal(1, executions);
        Assert.Single(calls, c => c.Started);
        Assert.All(results, r => Assert.Equal(42, r));
    }

    [Fact]
    public async Task Run_StartedByABackgroundJob_RunsTheWorkOnThePool_SoThatClientsJoiningItNeverWaitForTheJobsThread()
    {
        using var jobs = new BackgroundThread();
        var flights = new SingleFlight<(bool Pool, bool UnderJobs)>();
        Task<(bool Pool, bool UnderJobs)> flight = null!;

        await jobs.Start(() =>
        {
            (flight, _) = flights.Run("k", 0, async _ =>
            {
                await Task.Yield(); // Comes back to whatever scheduler the work was started under.
                return (Thread.CurrentThread.IsThreadPoolThread, BackgroundThread.IsCurrent);
            });
            return Task.CompletedTask;
        }).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal((true, false), await flight.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Run_Failure_IsSharedByEveryWaiterAndTheKeyIsFreedAfterwards()
    {
        var flights = new SingleFlight<int>();
        var release = new TaskCompletionSource();

        var first = flights.Run("k", 0, async _ =>
        {
            await release.Task;
            throw new InvalidOperationException("upstream down");
        });
        var second = flights.Run("k", 0, _ => Task.FromResult(1));
        release.SetResult();

        await Assert.ThrowsAsync<InvalidOperationException>(() => first.Task);
        await Assert.ThrowsAsync<InvalidOperationException>(() => second.Task);
        Assert.False(second.Started);
        Assert.Equal(0, flights.Count);

        var third = flights.Run("k", 0, _ => Task.FromResult(7));
        Assert.True(third.Started);
        Assert.Equal(7, await third.Task);
    }

    [Fact]
    public async Task TryJoin_FindsOnlyWorkInProgressAndNeverStartsAny()
    {
        var flights = new SingleFlight<int>();
        var release = new TaskCompletionSource<int>();

        Assert.False(flights.TryJoin("k", out _));
        var first = flights.Run("k", 0, _ => release.Task);
        Assert.True(flights.TryJoin("k", out var joined));
        release.SetResult(5);

        Assert.Equal(5, await joined);
        Assert.Equal(5, await first.Task);
        Assert.False(flights.TryJoin("k", out _));
        Assert.Equal(0, flights.Count);
    }

    [Fact]
    public async Task Run_DifferentKeys_RunIndependently()
    {
        var flights = new SingleFlight<string>();

        var a = flights.Run("a", "A", s => Task.FromResult(s));
        var b = flights.Run("b", "B", s => Task.FromResult(s));

        Assert.True(a.Started);
        Assert.True(b.Started);
        Assert.Equal(["A", "B"], await Task.WhenAll(a.Task, b.Task));
    }
}

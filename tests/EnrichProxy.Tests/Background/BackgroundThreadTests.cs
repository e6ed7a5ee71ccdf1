using EnrichProxy.Background;

namespace EnrichProxy.Tests.Background;

public sealed class BackgroundThreadTests
{
    private const string JobsThread = "EnrichProxy jobs";

    [Fact]
    public async Task AClientAwaitingAJobsWork_ResumesOnThePool_NotOnTheJobsThread()
    {
        using var jobs = new BackgroundThread();
        // Completed on the jobs' thread, without RunContinuationsAsynchronously: a continuation that could run inline would.
        var answer = new TaskCompletionSource<int>();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var job = jobs.Start(async () =>
        {
            await release.Task;
            answer.SetResult(42);
        });

        // The client's await is registered (on a pool thread, under the default scheduler) before the job may answer.
        Task<(int, string?, bool, TaskScheduler)> client = null!;
        await Task.Run(() => { client = ClientAsync(answer.Task); }); // An action: it returns once the await is registered.
        Assert.False(client.IsCompleted);
        release.SetResult();

        var (value, name, pool, scheduler) = await client.WaitAsync(TimeSpan.FromSeconds(10));
        await job.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(42, value);
        Assert.NotEqual(JobsThread, name);
        Assert.True(pool);
        Assert.Same(TaskScheduler.Default, scheduler);
    }

    [Fact]
    public async Task OnceDisposed_WhatItAlreadyHeldRunsOnItsThread_AndWhatComesLaterOnThePool()
    {
        var jobs = new BackgroundThread();
        using var hold = new ManualResetEventSlim();
        var held = jobs.Start(() =>
        {
            hold.Wait(TimeSpan.FromSeconds(10)); // Keeps the thread busy while the next job is queued and the scheduler disposed.
            return Task.CompletedTask;
        });
        string? queuedBeforeRanOn = null;
        var queuedBefore = jobs.Start(() =>
        {
            queuedBeforeRanOn = Thread.CurrentThread.Name;
            return Task.CompletedTask;
        });

        jobs.Dispose();
        var queuedAfter = jobs.Start(async () =>
        {
            await Task.Yield();
            Assert.True(Thread.CurrentThread.IsThreadPoolThread);
        });
        hold.Set();

        await Task.WhenAll(held, queuedBefore, queuedAfter).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(JobsThread, queuedBeforeRanOn);
    }

    private static async Task<(int, string?, bool, TaskScheduler)> ClientAsync(Task<int> answer)
    {
        var value = await answer;
        return (value, Thread.CurrentThread.Name, Thread.CurrentThread.IsThreadPoolThread, TaskScheduler.Current);
    }
}

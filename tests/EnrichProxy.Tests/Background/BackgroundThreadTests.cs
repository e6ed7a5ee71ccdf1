using EnrichProxy.Background;

namespace EnrichProxy.Tests.Background;

public sealed class BackgroundThreadTests
{
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

        var client = Task.Run(async () =>
        {
            var value = await answer.Task;
            return (value, Thread.CurrentThread.Name, Thread.CurrentThread.IsThreadPoolThread, TaskScheduler.Current);
        });
        release.SetResult();

        var (value, name, pool, scheduler) = await client.WaitAsync(TimeSpan.FromSeconds(10));
        await job.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(42, value);
        Assert.NotEqual("EnrichProxy jobs", name);
        Assert.True(pool);
        Assert.Same(TaskScheduler.Default, scheduler);
    }

    [Fact]
    public async Task OnceDisposed_WhatIsStillQueued_RunsOnThePool()
    {
        var jobs = new BackgroundThread();
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var resumedOn = (Name: (string?)null, Pool: false);
        var job = jobs.Start(async () =>
        {
            waiting.SetResult();
            await release.Task; // Comes back after the dispose below, to a scheduler that has let its thread go.
            resumedOn = (Thread.CurrentThread.Name, Thread.CurrentThread.IsThreadPoolThread);
        });

        await waiting.Task.WaitAsync(TimeSpan.FromSeconds(10));
        jobs.Dispose();
        release.SetResult();

        await job.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(resumedOn.Pool, $"resumed on {resumedOn.Name}");
        await jobs.Start(() => Task.CompletedTask).WaitAsync(TimeSpan.FromSeconds(10)); // Started after the dispose: on the pool too.
    }
}

using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using EnrichProxy.Background;
using EnrichProxy.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EnrichProxy.Tests.Background;

public sealed class BackgroundQueueTests : IAsyncDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly FakeLogger<BackgroundQueue> _logger = new();
    private readonly ConcurrentQueue<string> _ran = new();
    private QueueMetrics? _metrics;
    private BackgroundQueue? _queue;

    [Fact]
    public async Task AWorker_TakesRefreshesBeforePrefetchesBeforeWarmup()
    {
        var queue = await StartAsync(new QueueOptions { Workers = 1 });
        var blocker = Block(queue, "blocker");

        queue.TryEnqueue(Job("warmup-1", QueueLane.Warmup));
        queue.TryEnqueue(Job("prefetch-1", QueueLane.Prefetch));
        queue.TryEnqueue(Job("warmup-2", QueueLane.Warmup));
        queue.TryEnqueue(Job("refresh-1", QueueLane.Refresh));
        queue.TryEnqueue(Job("prefetch-2", QueueLane.Prefetch));
        blocker.SetResult();

        await WaitUntilAsync(() => _ran.Count == 6);
        Assert.Equal(["blocker", "refresh-1", "prefetch-1", "prefetch-2", "warmup-1", "warmup-2"], _ran);
        Assert.Equal(2, _metrics!.Finished[(JobKind.Refresh, JobResult.Stored)]); // The blocker is a refresh too.
        Assert.Equal(2, _metrics.Finished[(JobKind.Prefetch, JobResult.Stored)]);
        Assert.Equal(2, _metrics.Finished[(JobKind.Warmup, JobResult.Stored)]);
    }

    [Fact]
    public async Task ConcurrentIdenticalJobs_AreQueuedOnce_AndTheSameJobMayComeAgainOnceItEnded()
    {
        var queue = await StartAsync(new QueueOptions { Workers = 1 });
        var blocker = Block(queue, "blocker");
        var runs = 0;
        BackgroundJob Same() => new(JobKind.Prefetch, "prefetch|same", QueueLane.Prefetch, 1, _ =>
        {
            Interlocked.Increment(ref runs);
            return Task.FromResult(JobResult.Stored);
        });

        using var start = new ManualResetEventSlim();
        var triggers = Enumerable.Range(0, 40).Select(_ => Task.Run(() =>
        {
            start.Wait();
            return queue.TryEnqueue(Same());
        })).ToArray();
        start.Set();
        var accepted = await Task.WhenAll(triggers);

        Assert.Equal(1, accepted.Count(queued => queued));
        blocker.SetResult();
        await WaitUntilAsync(() => Volatile.Read(ref runs) == 1 && _metrics!.Running == 0);
        Assert.Equal(39, _metrics!.Deduplicated[JobKind.Prefetch]);

        Assert.True(queue.TryEnqueue(Same()));
        await WaitUntilAsync(() => Volatile.Read(ref runs) == 2);
    }

    [Fact]
    public async Task AFullLane_DropsCountsAndLogsAtMostOnceAMinute_WhileOtherLanesStillTakeJobs()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var queue = await StartAsync(new QueueOptions { Workers = 1, Capacity = 2 }, time);
        var blocker = Block(queue, "blocker");

        var accepted = Enumerable.Range(0, 6).Select(i => queue.TryEnqueue(Job($"prefetch-{i}", QueueLane.Prefetch))).ToList();

        Assert.Equal([true, true, false, false, false, false], accepted);
        Assert.True(queue.TryEnqueue(Job("refresh", QueueLane.Refresh)));
        Assert.Equal(4, _metrics!.Dropped[JobKind.Prefetch]);
        var full = Overflows();
        Assert.Contains("1 jobs dropped (prefetch 1)", Assert.Single(full), StringComparison.Ordinal);

        // The other three are reported once the minute has passed, though no further job is dropped.
        time.Advance(TimeSpan.FromMinutes(1));
        await WaitUntilAsync(() => Overflows().Count == 2);
        Assert.Contains("3 jobs dropped (prefetch 3)", Overflows()[1], StringComparison.Ordinal);

        blocker.SetResult();
        await WaitUntilAsync(() => _ran.Count == 4);
    }

    [Fact]
    public async Task JobsThatWaitForRoom_HoldAtMostHalfTheirLane_LeavingTheRestToJobsThatCannotWait()
    {
        var queue = await StartAsync(new QueueOptions { Workers = 1, Capacity = 4 });
        var blocker = Block(queue, "blocker");

        Assert.True(await queue.EnqueueAsync(Job("warmup-1", QueueLane.Warmup), CancellationToken.None));
        Assert.True(await queue.EnqueueAsync(Job("warmup-2", QueueLane.Warmup), CancellationToken.None));
        var third = queue.EnqueueAsync(Job("warmup-3", QueueLane.Warmup), CancellationToken.None).AsTask();
        await Task.Delay(100);
        Assert.False(third.IsCompleted);
        Assert.True(queue.TryEnqueue(Job("named-1", QueueLane.Warmup)));
        Assert.True(queue.TryEnqueue(Job("named-2", QueueLane.Warmup)));
        Assert.False(queue.TryEnqueue(Job("named-3", QueueLane.Warmup)));

        blocker.SetResult();
        Assert.True(await third.WaitAsync(TimeSpan.FromSeconds(10)));
        await WaitUntilAsync(() => _ran.Count == 6);
        Assert.Equal(["blocker", "warmup-1", "warmup-2", "named-1", "named-2", "warmup-3"], _ran);
    }

    [Fact]
    public async Task Shutdown_DrainsRefreshesAndPrefetches_LeavesWarmup_AndTakesNoMore()
    {
        var queue = await StartAsync(new QueueOptions { Workers = 1, DrainTimeout = TimeSpan.FromSeconds(30) });
        var blocker = Block(queue, "blocker");
        var warmupEnded = new ConcurrentQueue<JobResult>();
        queue.TryEnqueue(Job("refresh", QueueLane.Refresh));
        queue.TryEnqueue(Job("prefetch", QueueLane.Prefetch));
        queue.TryEnqueue(Job("warmup", QueueLane.Warmup) with { Finished = warmupEnded.Enqueue });

        var stopping = queue.StopAsync(CancellationToken.None);
        Assert.False(queue.TryEnqueue(Job("late", QueueLane.Refresh)));
        blocker.SetResult();
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(["blocker", "refresh", "prefetch"], _ran);
        Assert.Equal([JobResult.Cancelled], warmupEnded);
        Assert.Equal(0, _metrics!.Waiting);
        var drained = Assert.Single(_logger.Collector.GetSnapshot(), r => r.Id.Name == "BackgroundQueueDrained");
        Assert.Contains("2 refresh and prefetch jobs were waiting; left 1 warm-up jobs (warmup 1)", drained.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Shutdown_PastTheDrainDeadline_CancelsWhatRunsAndLogsWhatItLeft()
    {
        var queue = await StartAsync(new QueueOptions { Workers = 1, DrainTimeout = TimeSpan.FromMilliseconds(200) });
        var hanging = new BackgroundJob(JobKind.Refresh, "hanging", QueueLane.Refresh, 0, async cancellationToken =>
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return JobResult.Stored;
        });
        queue.TryEnqueue(hanging);
        await WaitUntilAsync(() => _metrics!.Running == 1);
        queue.TryEnqueue(Job("waiting", QueueLane.Prefetch));

        await queue.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Empty(_ran);
        Assert.Equal(1, _metrics!.Finished[(JobKind.Refresh, JobResult.Cancelled)]);
        Assert.Equal(1, _metrics.Finished[(JobKind.Prefetch, JobResult.Cancelled)]);
        var left = Assert.Single(_logger.Collector.GetSnapshot(), r => r.Id.Name == "BackgroundQueueLeftJobs");
        Assert.Contains("left 1 waiting jobs (prefetch 1) and cancelled 1 running", left.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFailingJob_IsCountedAndLogged_AndTheWorkerGoesOn()
    {
        var queue = await StartAsync(new QueueOptions { Workers = 1 });
        queue.TryEnqueue(new BackgroundJob(JobKind.Prefetch, "prefetch|broken", QueueLane.Prefetch, 1, _ => throw new InvalidOperationException("no")));
        queue.TryEnqueue(Job("next", QueueLane.Prefetch));

        await WaitUntilAsync(() => _ran.Count == 1);
        Assert.Equal(1, _metrics!.Finished[(JobKind.Prefetch, JobResult.Failed)]);
        var failed = Assert.Single(_logger.Collector.GetSnapshot(), r => r.Id.Name == "BackgroundJobFailed");
        Assert.Contains("prefetch job prefetch|broken failed (InvalidOperationException)", failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AJob_RunsAsTheCurrentBackgroundWork()
    {
        var queue = await StartAsync(new QueueOptions { Workers = 1 });
        var seen = new TaskCompletionSource<BackgroundJob?>();
        var job = new BackgroundJob(JobKind.Warmup, "warmup|movies/603", QueueLane.Warmup, 0, async _ =>
        {
            await Task.Yield();
            seen.SetResult(BackgroundWork.Current);
            return JobResult.Stored;
        });

        queue.TryEnqueue(job);

        Assert.Same(job, await seen.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Null(BackgroundWork.Current);
    }

    [Fact]
    public async Task Jobs_RunOnTheQueuesOwnThread_NotThePoolThatAnswersClients_BeforeAndAfterTheirAwaits()
    {
        var queue = await StartAsync(new QueueOptions { Workers = 2 });
        var threads = new ConcurrentBag<(string? Name, bool Pool)>();
        BackgroundJob Recording(string key) => new(JobKind.Refresh, key, QueueLane.Refresh, 0, async token =>
        {
            threads.Add((Thread.CurrentThread.Name, Thread.CurrentThread.IsThreadPoolThread));
            await Task.Delay(5, token);
            threads.Add((Thread.CurrentThread.Name, Thread.CurrentThread.IsThreadPoolThread));
            _ran.Enqueue(key);
            return JobResult.Stored;
        });

        queue.TryEnqueue(Recording("refresh|a"));
        queue.TryEnqueue(Recording("refresh|b"));

        await WaitUntilAsync(() => _ran.Count == 2);
        Assert.Equal(4, threads.Count);
        Assert.All(threads, thread => Assert.Equal(("EnrichProxy jobs", false), thread));
    }

    public async ValueTask DisposeAsync()
    {
        if (_queue is not null)
        {
            await _queue.StopAsync(CancellationToken.None);
            _queue.Dispose();
        }

        await _services.DisposeAsync();
    }

    private async Task<BackgroundQueue> StartAsync(QueueOptions options, TimeProvider? time = null)
    {
        _metrics = new QueueMetrics(_services.GetRequiredService<IMeterFactory>());
        _queue = new BackgroundQueue(Options.Create(new EnrichProxyOptions { Queue = options }), _metrics, time ?? TimeProvider.System, _logger);
        await _queue.StartAsync(CancellationToken.None);
        return _queue;
    }

    // Occupies a worker until the returned source completes.
    private TaskCompletionSource Block(BackgroundQueue queue, string name)
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        queue.TryEnqueue(new BackgroundJob(JobKind.Refresh, name, QueueLane.Refresh, 0, async _ =>
        {
            running.SetResult();
            await release.Task;
            _ran.Enqueue(name);
            return JobResult.Stored;
        }));
        running.Task.Wait(TimeSpan.FromSeconds(10));
        return release;
    }

    private BackgroundJob Job(string name, QueueLane lane) =>
        new(lane switch { QueueLane.Refresh => JobKind.Refresh, QueueLane.Prefetch => JobKind.Prefetch, _ => JobKind.Warmup }, name, lane, 0, _ =>
        {
            _ran.Enqueue(name);
            return Task.FromResult(JobResult.Stored);
        });

    private List<string> Overflows() =>
        [.. _logger.Collector.GetSnapshot().Where(r => r.Id.Name == "BackgroundQueueFull").Select(r => r.Message)];

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 1000 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }
}

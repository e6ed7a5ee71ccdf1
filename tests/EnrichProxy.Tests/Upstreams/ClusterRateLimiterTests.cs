using System.Diagnostics;
using EnrichProxy.Configuration;
using EnrichProxy.Upstreams.Resilience;
using Microsoft.Extensions.Time.Testing;

namespace EnrichProxy.Tests.Upstreams;

/// <summary>
/// The bucket refills on the real clock (.NET's limiters read it even when replenished by hand), so
/// these tests bound rates from above, which a slow machine cannot break; the wait bound runs on a fake clock.
/// </summary>
public sealed class ClusterRateLimiterTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task AConcurrentBurst_GetsTheBurstAtOnceThenNoMoreThanTheRate()
    {
        using var limiter = Limiter(permitsPerSecond: 10, burst: 3);
        var clock = Stopwatch.StartNew();

        var granted = await Task.WhenAll(Enumerable.Range(0, 13).Select(async _ =>
        {
            await limiter.WaitForPermitAsync(background: null, CancellationToken.None);
            return clock.Elapsed;
        }));

        // 3 at once, then 10 more at 10 a second: the last cannot come before about a second.
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(900), $"13 permits in {clock.Elapsed}");
        foreach (var at in granted)
        {
            var allowed = 3 + (int)Math.Floor(at.TotalSeconds * 10) + 1;
            Assert.True(granted.Count(t => t <= at) <= allowed, $"{granted.Count(t => t <= at)} permits by {at}");
        }
    }

    [Fact]
    public async Task AClientWaitingLongerThanMaxWait_IsRefusedWithRetryAfter()
    {
        using var limiter = Limiter(permitsPerSecond: 0.01, burst: 1, maxWait: TimeSpan.FromSeconds(2));
        await limiter.WaitForPermitAsync(background: null, CancellationToken.None);

        var waiting = limiter.WaitForPermitAsync(background: null, CancellationToken.None).AsTask();
        await WaitUntilAsync(() => limiter.ClientsWaiting == 1);
        _time.Advance(TimeSpan.FromSeconds(2));

        var refused = await Assert.ThrowsAsync<UpstreamRefusedException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(RefusalReason.RateLimited, refused.Reason);
        Assert.Equal("tmdb", refused.ClusterId);
        // One client waiting at 0.01 permits a second: the next permit is 100 s away.
        Assert.Equal(TimeSpan.FromSeconds(100), refused.RetryAfter);
        Assert.Equal(0, limiter.ClientsWaiting);
    }

    [Fact]
    public async Task AClientThatLeaves_StopsWaitingWithoutARefusal()
    {
        using var limiter = Limiter(permitsPerSecond: 0.01, burst: 1);
        await limiter.WaitForPermitAsync(background: null, CancellationToken.None);
        using var client = new CancellationTokenSource();

        var waiting = limiter.WaitForPermitAsync(background: null, client.Token).AsTask();
        await WaitUntilAsync(() => limiter.ClientsWaiting == 1);
        await client.CancelAsync();

        var exception = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.IsNotType<UpstreamRefusedException>(exception);
    }

    [Fact]
    public async Task TooManyWaitingClients_AreRefusedAtOnce()
    {
        using var limiter = Limiter(permitsPerSecond: 0.01, burst: 1, queueLimit: 1);
        await limiter.WaitForPermitAsync(background: null, CancellationToken.None);
        _ = limiter.WaitForPermitAsync(background: null, CancellationToken.None).AsTask();
        await WaitUntilAsync(() => limiter.ClientsWaiting == 1);

        await Assert.ThrowsAsync<UpstreamRefusedException>(() => limiter.WaitForPermitAsync(background: null, CancellationToken.None).AsTask());
    }

    [Fact]
    public async Task BackgroundWork_TakesNoPermitWhileAClientWaits()
    {
        using var limiter = Limiter(permitsPerSecond: 2, burst: 1);
        await limiter.WaitForPermitAsync(background: null, CancellationToken.None);
        var client = limiter.WaitForPermitAsync(background: null, CancellationToken.None).AsTask();
        await WaitUntilAsync(() => limiter.ClientsWaiting == 1);

        var background = limiter.WaitForPermitAsync(background: new BackgroundPriority(), CancellationToken.None).AsTask();
        var first = await Task.WhenAny(client, background).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Same(client, first);
        // Background work waits by design; only client waits are reported (and counted in the metrics).
        Assert.False(await background.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task BackgroundWorkAClientJoins_QueuesForItsPermitAsAClient()
    {
        using var limiter = Limiter(permitsPerSecond: 0.01, burst: 1);
        await limiter.WaitForPermitAsync(background: null, CancellationToken.None);
        var priority = new BackgroundPriority();
        using var stop = new CancellationTokenSource();

        var background = limiter.WaitForPermitAsync(priority, stop.Token).AsTask();
        await Task.Delay(50);
        Assert.Equal(0, limiter.ClientsWaiting);
        priority.RaiseToClient();

        await WaitUntilAsync(() => limiter.ClientsWaiting == 1);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => background);
    }

    [Fact]
    public async Task BackgroundWork_LeavesAClientItsBurst()
    {
        using var limiter = Limiter(permitsPerSecond: 20, burst: 5);
        using var stop = new CancellationTokenSource();
        var taken = 0;
        var background = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await limiter.WaitForPermitAsync(background: new BackgroundPriority(), stop.Token);
                Interlocked.Increment(ref taken);
            }
        })).ToArray();
        await WaitUntilAsync(() => Volatile.Read(ref taken) >= 10);

        // However busy the background is, it takes only from a full bucket: four of five permits are always there.
        for (var i = 0; i < 4; i++)
        {
            Assert.False(await limiter.WaitForPermitAsync(background: null, CancellationToken.None), $"client request {i} waited");
        }

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Task.WhenAll(background));
    }

    private ClusterRateLimiter Limiter(double permitsPerSecond, int burst, TimeSpan? maxWait = null, int queueLimit = 100) =>
        new("tmdb", new RateLimitOptions
        {
            PermitsPerSecond = permitsPerSecond,
            Burst = burst,
            MaxWait = maxWait ?? TimeSpan.FromSeconds(30),
            QueueLimit = queueLimit,
        }, _time);

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }
}

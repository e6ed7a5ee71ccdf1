using EnrichProxy.Caching;

namespace EnrichProxy.Tests.Caching;

public sealed class TransientKeyLockerTests
{
    private static readonly TimeSpan Forever = Timeout.InfiniteTimeSpan;

    [Fact]
    public async Task Acquire_ASecondHolderOfTheSameKeyWaitsForTheFirstToRelease()
    {
        using var locker = new TransientKeyLocker();
        var first = await AcquireAsync(locker, "k", Forever);

        var second = AcquireAsync(locker, "k", Forever).AsTask();
        await Task.Delay(50);
        Assert.False(second.IsCompleted);

        Release(locker, "k", first);
        var secondLock = await second.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(secondLock);
        Release(locker, "k", secondLock);
        Assert.Equal(0, locker.Count);
    }

    [Fact]
    public async Task Acquire_OtherKeysDoNotWait()
    {
        using var locker = new TransientKeyLocker();
        var first = await AcquireAsync(locker, "a", Forever);

        var other = await AcquireAsync(locker, "b", Forever).AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.NotNull(other);
        Assert.Equal(2, locker.Count);
        Release(locker, "a", first);
        Release(locker, "b", other);
    }

    [Fact]
    public async Task Acquire_NothingIsLeftBehindOnceEveryHolderReleased()
    {
        using var locker = new TransientKeyLocker();
        for (var i = 0; i < 1_000; i++)
        {
            var key = $"key-{i}";
            Release(locker, key, await AcquireAsync(locker, key, Forever));
        }

        Assert.Equal(0, locker.Count);
    }

    [Fact]
    public async Task Acquire_ATimeoutGivesNoLockAndLeavesNothingBehind()
    {
        using var locker = new TransientKeyLocker();
        var held = await AcquireAsync(locker, "k", Forever);

        var timedOut = await AcquireAsync(locker, "k", TimeSpan.FromMilliseconds(20));
        var timedOutSync = locker.AcquireLock("c", "i", "op", "k", TimeSpan.FromMilliseconds(20), null, CancellationToken.None);

        Assert.Null(timedOut);
        Assert.Null(timedOutSync);
        Release(locker, "k", held);
        Assert.Equal(0, locker.Count);
    }

    [Fact]
    public async Task Acquire_ACancelledWaiterLeavesNothingBehind()
    {
        using var locker = new TransientKeyLocker();
        var held = await AcquireAsync(locker, "k", Forever);
        using var cancellation = new CancellationTokenSource();

        var waiter = locker.AcquireLockAsync("c", "i", "op", "k", Forever, null, cancellation.Token).AsTask();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiter);
        Release(locker, "k", held);
        Assert.Equal(0, locker.Count);
    }

    [Fact]
    public void AcquireLock_Synchronously_LocksAndReleases()
    {
        using var locker = new TransientKeyLocker();

        var held = locker.AcquireLock("c", "i", "op", "k", Forever, null, CancellationToken.None);

        Assert.NotNull(held);
        Assert.Equal(1, locker.Count);
        Release(locker, "k", held);
        Assert.Equal(0, locker.Count);
    }

    private static ValueTask<object?> AcquireAsync(TransientKeyLocker locker, string key, TimeSpan timeout) =>
        locker.AcquireLockAsync("cache", "instance", "operation", key, timeout, null, CancellationToken.None);

    private static void Release(TransientKeyLocker locker, string key, object? held) =>
        locker.ReleaseLock("cache", "instance", "operation", key, held, null);
}

namespace EnrichProxy.Caching;

/// <summary>
/// Which instance refreshes a key in the background when several share the cache: the one that takes this lock; the
/// others leave it, and hear of the new entry through the backplane. One instance alone always takes it.
/// </summary>
internal interface IRefreshLock
{
    /// <summary>Takes the refresh of <paramref name="key"/> for at most <paramref name="holdFor"/>, or null when another instance has it.</summary>
    ValueTask<IAsyncDisposable?> TryTakeAsync(string key, TimeSpan holdFor, CancellationToken cancellationToken);
}

/// <summary>One instance (the embedded disk L2): no other instance to share refreshes with.</summary>
internal sealed class SingleInstanceRefreshLock : IRefreshLock
{
    public ValueTask<IAsyncDisposable?> TryTakeAsync(string key, TimeSpan holdFor, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IAsyncDisposable?>(Taken.Instance);

    private sealed class Taken : IAsyncDisposable
    {
        public static readonly Taken Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

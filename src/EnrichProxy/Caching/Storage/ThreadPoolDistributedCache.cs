using Microsoft.Extensions.Caching.Distributed;

namespace EnrichProxy.Caching.Storage;

/// <summary>
/// Runs the embedded disk L2's calls on the thread pool. SQLite's asynchronous methods complete
/// synchronously (and wait on a busy database by sleeping), and with inline socket completions the
/// caller is a socket thread that every connection on it shares: a slow disk would stall them all.
/// Only fills and L1 misses reach L2, so the hop costs the hit path nothing.
/// </summary>
internal sealed class ThreadPoolDistributedCache(IDistributedCache inner) : IDistributedCache
{
    public byte[]? Get(string key) => inner.Get(key);

    public Task<byte[]?> GetAsync(string key, CancellationToken token = default) =>
        Task.Run(() => inner.Get(key), token);

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => inner.Set(key, value, options);

    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) =>
        Task.Run(() => inner.Set(key, value, options), token);

    public void Refresh(string key) => inner.Refresh(key);

    public Task RefreshAsync(string key, CancellationToken token = default) =>
        Task.Run(() => inner.Refresh(key), token);

    public void Remove(string key) => inner.Remove(key);

    public Task RemoveAsync(string key, CancellationToken token = default) =>
        Task.Run(() => inner.Remove(key), token);
}

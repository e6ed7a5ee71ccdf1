using Microsoft.Extensions.Caching.Distributed;

namespace EnrichProxy.Caching.Storage;

/// <summary>The second level behind its <see cref="StorageCircuit"/>: bounded in time, skipped for a while after it fails.</summary>
internal sealed class GuardedDistributedCache(IDistributedCache inner, StorageCircuit circuit) : IDistributedCache
{
    /// <summary>The level itself.</summary>
    public IDistributedCache Inner => inner;

    public byte[]? Get(string key) => Unless(() => inner.Get(key));

    public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => circuit.RunAsync(t => inner.GetAsync(key, t), token);

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => Unless(() => inner.Set(key, value, options));

    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) =>
        circuit.RunAsync(t => inner.SetAsync(key, value, options, t), token);

    public void Refresh(string key) => Unless(() => inner.Refresh(key));

    public Task RefreshAsync(string key, CancellationToken token = default) => circuit.RunAsync(t => inner.RefreshAsync(key, t), token);

    public void Remove(string key) => Unless(() => inner.Remove(key));

    public Task RemoveAsync(string key, CancellationToken token = default) => circuit.RunAsync(t => inner.RemoveAsync(key, t), token);

    // FusionCache calls the synchronous methods only from synchronous callers, which the proxy does not have.
    private T Unless<T>(Func<T> call) => circuit.IsOpen ? throw new StorageUnavailableException() : call();

    private void Unless(Action call)
    {
        if (circuit.IsOpen)
        {
            throw new StorageUnavailableException();
        }

        call();
    }
}

using System.Diagnostics.Metrics;
using EnrichProxy.Telemetry;
using Microsoft.Extensions.Caching.Distributed;

namespace EnrichProxy.Caching.Storage;

/// <summary>
/// The second level (Redis or the disk file) with its failures counted by operation. FusionCache goes
/// on without L2 when it fails (L1 answers; its circuit breaker skips L2 for a moment), so without this
/// count an L2 outage would be silent.
/// </summary>
internal sealed class ObservedDistributedCache : IDistributedCache
{
    private readonly IDistributedCache _inner;
    private readonly Counter<long> _errors;

    public ObservedDistributedCache(IDistributedCache inner, IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _inner = inner;
        _errors = meterFactory.Create(EnrichProxyDiagnostics.MeterName)
            .CreateCounter<long>(EnrichProxyDiagnostics.CacheL2Errors, "{error}", "Failed operations on the second cache level.");
        foreach (var operation in (string[])["get", "set", "refresh", "remove"])
        {
            Count(operation, 0); // Series start at zero, before the first failure.
        }
    }

    /// <summary>The level itself.</summary>
    public IDistributedCache Inner => _inner;

    public byte[]? Get(string key) => Observe("get", () => _inner.Get(key));

    public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => ObserveAsync("get", () => _inner.GetAsync(key, token), token);

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => Observe("set", () => _inner.Set(key, value, options));

    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) =>
        ObserveAsync("set", () => _inner.SetAsync(key, value, options, token), token);

    public void Refresh(string key) => Observe("refresh", () => _inner.Refresh(key));

    public Task RefreshAsync(string key, CancellationToken token = default) => ObserveAsync("refresh", () => _inner.RefreshAsync(key, token), token);

    public void Remove(string key) => Observe("remove", () => _inner.Remove(key));

    public Task RemoveAsync(string key, CancellationToken token = default) => ObserveAsync("remove", () => _inner.RemoveAsync(key, token), token);

    private T Observe<T>(string operation, Func<T> call)
    {
        try
        {
            return call();
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            Count(operation);
            throw;
        }
    }

    private void Observe(string operation, Action call) => Observe(operation, () =>
    {
        call();
        return true;
    });

    private async Task<T> ObserveAsync<T>(string operation, Func<Task<T>> call, CancellationToken token)
    {
        try
        {
            return await call();
        }
        catch (Exception exception) when (!(exception is OperationCanceledException && token.IsCancellationRequested))
        {
            Count(operation);
            throw;
        }
    }

    private async Task ObserveAsync(string operation, Func<Task> call, CancellationToken token)
    {
        try
        {
            await call();
        }
        catch (Exception exception) when (!(exception is OperationCanceledException && token.IsCancellationRequested))
        {
            Count(operation);
            throw;
        }
    }

    private void Count(string operation, long errors = 1) =>
        _errors.Add(errors, new KeyValuePair<string, object?>(EnrichProxyDiagnostics.OperationTag, operation));
}

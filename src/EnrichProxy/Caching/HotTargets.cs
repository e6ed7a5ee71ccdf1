using System.Collections.Concurrent;

namespace EnrichProxy.Caching;

/// <summary>
/// Which cache entry answers a request target (path and query exactly as the client sent them), learnt
/// from the full pipeline, so that <see cref="CacheHitFastPath"/> can answer repeated credential-free
/// hits before routing. Only targets whose answer is the same for every client are remembered.
/// </summary>
internal sealed class HotTargets
{
    // A bound on memory: past it the map starts over and re-learns what is still asked for.
    private const int MaxTargets = 250_000;

    private readonly ConcurrentDictionary<string, HotTarget> _targets = new(StringComparer.Ordinal);

    public int Count => _targets.Count;

    public bool TryGet(string rawTarget, out HotTarget target) => _targets.TryGetValue(rawTarget, out target!);

    public void Remember(string rawTarget, string key, string routeId, CachePolicy policy)
    {
        if (_targets.Count >= MaxTargets)
        {
            _targets.Clear();
        }

        _targets.TryAdd(rawTarget, new HotTarget(key, routeId, policy));
    }
}

/// <summary>A remembered answer: its cache key, the route it belongs to, and that route's policy.</summary>
internal sealed record HotTarget(string Key, string RouteId, CachePolicy Policy);

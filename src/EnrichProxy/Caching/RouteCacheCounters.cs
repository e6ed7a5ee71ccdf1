namespace EnrichProxy.Caching;

/// <summary>The running totals of one cached route.</summary>
internal sealed class RouteCacheCounters(string routeId)
{
    private readonly StripedCounter _hits = new();
    private readonly StripedCounter _misses = new();
    private readonly StripedCounter _stale = new();
    private readonly StripedCounter _bypassed = new();
    private readonly StripedCounter _coalesced = new();

    public string RouteId { get; } = routeId;

    public long Hits => _hits.Value;

    public long Misses => _misses.Value;

    public long Stale => _stale.Value;

    public long Bypassed => _bypassed.Value;

    public long CoalescedWaiters => _coalesced.Value;

    public void Answered(CacheResult result)
    {
        switch (result)
        {
            case CacheResult.Hit:
                _hits.Increment();
                break;
            case CacheResult.Miss:
                _misses.Increment();
                break;
            case CacheResult.Stale:
                _stale.Increment();
                break;
            default:
                _bypassed.Increment();
                break;
        }
    }

    public void Coalesced() => _coalesced.Increment();
}


namespace EnrichProxy.Caching;

/// <summary>The running totals of one cached route.</summary>
internal sealed class RouteCacheCounters(string routeId)
{
    private long _hits;
    private long _misses;
    private long _stale;
    private long _bypassed;
    private long _coalesced;

    public string RouteId { get; } = routeId;

    public long Hits => Volatile.Read(ref _hits);

    public long Misses => Volatile.Read(ref _misses);

    public long Stale => Volatile.Read(ref _stale);

    public long Bypassed => Volatile.Read(ref _bypassed);

    public long CoalescedWaiters => Volatile.Read(ref _coalesced);

    public void Answered(CacheResult result)
    {
        switch (result)
        {
            case CacheResult.Hit:
                Interlocked.Increment(ref _hits);
                break;
            case CacheResult.Miss:
                Interlocked.Increment(ref _misses);
                break;
            case CacheResult.Stale:
                Interlocked.Increment(ref _stale);
                break;
            default:
                Interlocked.Increment(ref _bypassed);
                break;
        }
    }

    public void Coalesced() => Interlocked.Increment(ref _coalesced);
}

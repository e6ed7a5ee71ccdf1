using System.Collections.Concurrent;

namespace EnrichProxy.Caching.Purging;

/// <summary>
/// The purge markers this instance knows, newest per URL, route and tag. Read on every lookup that goes
/// through the full pipeline while any marker exists; the fast path never sees a purged entry, because
/// every purge makes it forget what it learnt (<see cref="HotTargets.ForgetAll"/>).
/// </summary>
internal sealed class PurgeLedger
{
    /// <summary>
    /// At most this many markers (about 200 KB in the disk store's file, which each purge rewrites). A ledger that
    /// grows past it folds its oldest half into one <see cref="PurgeScope.Everything"/> marker as late as the latest of
    /// them: everything stored up to then counts as purged. That purges more than was asked (those entries are fetched
    /// again), never less. Webhooks and admin purges come a few a day; thousands mean something purges in a loop.
    /// </summary>
    public const int MaxMarkers = 2_000;

    private readonly ConcurrentDictionary<string, PurgeMarker> _markers = new(StringComparer.Ordinal);
    private readonly Lock _folding = new();
    private readonly int[] _countByScope = new int[Enum.GetValues<PurgeScope>().Length];
    private int _count;

    public bool IsEmpty => Volatile.Read(ref _count) == 0;

    public int Count => Volatile.Read(ref _count);

    public IEnumerable<PurgeMarker> Markers => _markers.Values;

    /// <summary>Whether any marker of <paramref name="scope"/> exists.</summary>
    public bool Has(PurgeScope scope) => Volatile.Read(ref _countByScope[(int)scope]) > 0;

    /// <summary>Records a marker, keeping the later one when the same URL, route or tag was purged before.</summary>
    /// <returns>Whether the ledger changed.</returns>
    public bool Apply(PurgeMarker marker)
    {
        ArgumentNullException.ThrowIfNull(marker);
        while (true)
        {
            if (_markers.TryGetValue(marker.Key, out var known))
            {
                if (known.PurgedAt >= marker.PurgedAt)
                {
                    return false;
                }

                if (_markers.TryUpdate(marker.Key, marker, known))
                {
                    return true;
                }
            }
            else if (_markers.TryAdd(marker.Key, marker))
            {
                Interlocked.Increment(ref _countByScope[(int)marker.Scope]);
                Interlocked.Increment(ref _count);
                return true;
            }
        }
    }

    /// <summary>Whether a marker of <paramref name="scope"/> and <paramref name="value"/> covers an entry stored at <paramref name="storedAt"/>.</summary>
    public bool Covers(PurgeScope scope, string value, DateTimeOffset storedAt) =>
        _markers.TryGetValue(PurgeMarker.KeyOf(scope, value), out var marker) && storedAt <= marker.PurgedAt;

    /// <summary>Whether an <see cref="PurgeScope.Everything"/> marker covers an entry stored at <paramref name="storedAt"/>.</summary>
    public bool CoversEverything(DateTimeOffset storedAt) =>
        Has(PurgeScope.Everything) && Covers(PurgeScope.Everything, PurgeMarker.EverythingValue, storedAt);

    /// <summary>Drops markers made before <paramref name="before"/>: every entry they could cover has expired.</summary>
    public void Prune(DateTimeOffset before)
    {
        foreach (var (key, marker) in _markers)
        {
            if (marker.PurgedAt < before)
            {
                Remove(key, marker);
            }
        }
    }

    /// <summary>Past <see cref="MaxMarkers"/>, folds the oldest half into one <see cref="PurgeScope.Everything"/> marker.</summary>
    /// <returns>The marker they were folded into, or null when the ledger was not full.</returns>
    public PurgeMarker? FoldIfFull()
    {
        if (Count <= MaxMarkers)
        {
            return null;
        }

        lock (_folding)
        {
            var oldest = _markers.Values.Where(marker => marker.Scope != PurgeScope.Everything)
                .OrderBy(marker => marker.PurgedAt).Take(Count - (MaxMarkers / 2)).ToList();
            if (oldest.Count == 0)
            {
                return null;
            }

            var everything = new PurgeMarker(PurgeScope.Everything, PurgeMarker.EverythingValue, oldest[^1].PurgedAt);
            Apply(everything);
            foreach (var marker in oldest)
            {
                // A marker purged again meanwhile is newer than the fold, and stays.
                Remove(marker.Key, marker);
            }

            return everything;
        }
    }

    private void Remove(string key, PurgeMarker marker)
    {
        if (_markers.TryRemove(new KeyValuePair<string, PurgeMarker>(key, marker)))
        {
            Interlocked.Decrement(ref _countByScope[(int)marker.Scope]);
            Interlocked.Decrement(ref _count);
        }
    }
}

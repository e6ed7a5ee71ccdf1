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
    /// At most this many markers (about 1 MB in the disk store's file, which each purge rewrites). A ledger that grows
    /// past it folds its oldest half: tag markers into one marker per tag prefix (<c>enrich:movies:603</c> and its kind
    /// into <c>enrich:movies:</c>), URL and route markers into one <see cref="PurgeScope.Everything"/> marker, each as
    /// late as the latest it replaces. That purges more than was asked (those entries are fetched again), never less,
    /// and a burst of item webhooks (a library import) costs the cached documents of that kind, not the whole cache.
    /// </summary>
    public const int MaxMarkers = 10_000;

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

    /// <summary>Whether a marker of <paramref name="tag"/>, or of a prefix of it that a fold made, covers an entry stored at <paramref name="storedAt"/>.</summary>
    public bool CoversTag(string tag, DateTimeOffset storedAt)
    {
        ArgumentNullException.ThrowIfNull(tag);
        if (Has(PurgeScope.Tag) && Covers(PurgeScope.Tag, tag, storedAt))
        {
            return true;
        }

        if (!Has(PurgeScope.TagPrefix))
        {
            return false;
        }

        for (var colon = tag.IndexOf(':', StringComparison.Ordinal); colon >= 0; colon = tag.IndexOf(':', colon + 1))
        {
            if (Covers(PurgeScope.TagPrefix, tag[..(colon + 1)], storedAt))
            {
                return true;
            }
        }

        return false;
    }

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

    /// <summary>Past <see cref="MaxMarkers"/>, folds the oldest half (see <see cref="MaxMarkers"/>).</summary>
    /// <returns>The markers they were folded into; none when the ledger was not full.</returns>
    public IReadOnlyList<PurgeMarker> FoldIfFull()
    {
        if (Count <= MaxMarkers)
        {
            return [];
        }

        lock (_folding)
        {
            if (Count <= MaxMarkers)
            {
                return []; // Another caller folded meanwhile.
            }

            var oldest = _markers.Values.Where(marker => marker.Scope is PurgeScope.Url or PurgeScope.Route or PurgeScope.Tag)
                .OrderBy(marker => marker.PurgedAt).Take(Count - (MaxMarkers / 2)).ToList();
            var folds = new List<PurgeMarker>();
            foreach (var group in oldest.GroupBy(FoldOf))
            {
                var fold = new PurgeMarker(group.Key.Scope, group.Key.Value, group.Max(marker => marker.PurgedAt));
                Apply(fold);
                folds.Add(fold);
                foreach (var marker in group)
                {
                    // A marker purged again meanwhile is newer than the fold, and stays.
                    Remove(marker.Key, marker);
                }
            }

            return folds;
        }
    }

    /// <summary>
    /// The markers of <paramref name="markers"/> that a fold among them makes redundant (an <see cref="PurgeScope.Everything"/>
    /// marker as late, or a <see cref="PurgeScope.TagPrefix"/> marker of their tag as late): a store may drop them.
    /// </summary>
    public static IReadOnlyList<PurgeMarker> CoveredByFolds(IReadOnlyCollection<PurgeMarker> markers)
    {
        ArgumentNullException.ThrowIfNull(markers);
        var everything = markers.Where(m => m.Scope == PurgeScope.Everything).Select(m => (DateTimeOffset?)m.PurgedAt).Max();
        var prefixes = markers.Where(m => m.Scope == PurgeScope.TagPrefix).GroupBy(m => m.Value, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Max(m => m.PurgedAt), StringComparer.Ordinal);
        if (everything is null && prefixes.Count == 0)
        {
            return [];
        }

        return [.. markers.Where(marker => marker.Scope is PurgeScope.Url or PurgeScope.Route or PurgeScope.Tag
            && (marker.PurgedAt <= everything || (marker.Scope == PurgeScope.Tag && HasCoveringPrefix(marker, prefixes))))];

        static bool HasCoveringPrefix(PurgeMarker marker, Dictionary<string, DateTimeOffset> prefixes)
        {
            for (var colon = marker.Value.IndexOf(':', StringComparison.Ordinal); colon >= 0; colon = marker.Value.IndexOf(':', colon + 1))
            {
                if (prefixes.TryGetValue(marker.Value[..(colon + 1)], out var at) && marker.PurgedAt <= at)
                {
                    return true;
                }
            }

            return false;
        }
    }

    // What a marker folds into: its tag's prefix (up to the last ':'), or everything.
    private static (PurgeScope Scope, string Value) FoldOf(PurgeMarker marker) =>
        marker.Scope == PurgeScope.Tag && marker.Value.LastIndexOf(':') is > 0 and var colon
            ? (PurgeScope.TagPrefix, marker.Value[..(colon + 1)])
            : (PurgeScope.Everything, PurgeMarker.EverythingValue);

    private void Remove(string key, PurgeMarker marker)
    {
        if (_markers.TryRemove(new KeyValuePair<string, PurgeMarker>(key, marker)))
        {
            Interlocked.Decrement(ref _countByScope[(int)marker.Scope]);
            Interlocked.Decrement(ref _count);
        }
    }
}

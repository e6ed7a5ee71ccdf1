namespace EnrichProxy.Caching.Purging;

/// <summary>Where purge markers outlive the process and, with Redis, how they reach the other instances.</summary>
internal interface IPurgeStore
{
    /// <summary>Markers made by another instance, as they arrive.</summary>
    event Action<PurgeMarker>? Received;

    /// <summary>Every stored marker.</summary>
    Task<IReadOnlyList<PurgeMarker>> LoadAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Stores <paramref name="marker"/> and announces it; drops stored markers made before <paramref name="pruneBefore"/>.
    /// <paramref name="all"/> gives every marker this instance knows, for stores that write them all.
    /// </summary>
    Task SaveAsync(PurgeMarker marker, Func<IReadOnlyCollection<PurgeMarker>> all, DateTimeOffset pruneBefore, CancellationToken cancellationToken);

    /// <summary>Starts listening for other instances' markers.</summary>
    Task SubscribeAsync(CancellationToken cancellationToken);

    /// <summary>Whether markers from other instances can arrive now; null when there are no other instances (disk).</summary>
    bool? IsListening { get; }
}

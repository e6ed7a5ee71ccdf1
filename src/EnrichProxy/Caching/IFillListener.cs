namespace EnrichProxy.Caching;

/// <summary>
/// Learns of every fresh answer the cache stored from its upstream (a client's fill, a refresh, a
/// prefetch): how features above the cache (prefetch) act on answers without the cache knowing them.
/// Listeners join through <see cref="FillListeners"/>.
/// </summary>
internal interface IFillListener
{
    /// <summary>Called once <paramref name="entry"/> was fetched for <paramref name="read"/> and is stored as fresh. Must not block: queue work instead.</summary>
    void Stored(CacheRead read, CachedResponse entry);
}

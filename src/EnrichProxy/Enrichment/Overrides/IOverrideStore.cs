namespace EnrichProxy.Enrichment.Overrides;

/// <summary>Where overrides are kept: durably, across restarts, and with Redis shared by every instance.</summary>
internal interface IOverrideStore
{
    Task<ItemOverride?> GetAsync(ItemKey item, CancellationToken cancellationToken);

    Task SetAsync(ItemOverride value, CancellationToken cancellationToken);

    /// <returns>Whether there was one.</returns>
    Task<bool> RemoveAsync(ItemKey item, CancellationToken cancellationToken);
}

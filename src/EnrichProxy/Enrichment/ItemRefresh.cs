using EnrichProxy.Background;
using EnrichProxy.Caching.Purging;

namespace EnrichProxy.Enrichment;

/// <summary>
/// "Refresh this item now", the action metadata-cache users ask for most: purges, on every instance, the item's
/// document and every cached read it is made of (the Arr library read, the external API's answers, and what the
/// kind's covering tags name), then assembles the document again through the whole priority chain.
/// </summary>
internal sealed class ItemRefresh(Purger purger, PurgeUrls urls, ItemResolver resolver)
{
    public async Task<ItemRefreshResult> RefreshAsync(ItemKindDefinition kind, ItemKey item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kind);
        var purged = new List<string>();
        var stored = true;
        foreach (var tag in ItemResolver.Tags(kind, item))
        {
            stored &= (await purger.PurgeAsync(PurgeScope.Tag, tag)).Stored;
            purged.Add("tag " + tag);
        }

        foreach (var url in ReadsOf(kind, item))
        {
            if (urls.TryNormalize(url, out var part))
            {
                stored &= (await purger.PurgeAsync(PurgeScope.Url, part)).Stored;
                purged.Add("url " + part);
            }
        }

        var result = await resolver.WarmAsync(kind, item, cancellationToken);
        return new ItemRefreshResult(item.ToString(), purged, JobLabels.Of(result), stored);
    }

    // The cached reads of the item, as the sources send them (ItemSources).
    private static IEnumerable<string> ReadsOf(ItemKindDefinition kind, ItemKey item)
    {
        yield return $"{kind.Library.Path}?{kind.Library.QueryParameter}={item.Id}";
        yield return kind.External.PathOf(item) + kind.External.Query;
        if (kind.Images is { } images)
        {
            yield return images.PathOf(item) + images.Query;
        }
    }
}

/// <summary>What a refresh purged and how reading the item again ended (<c>stored</c>, <c>not_stored</c>, <c>failed</c>).</summary>
internal sealed record ItemRefreshResult(string Item, IReadOnlyList<string> Purged, string Result, bool PurgesStored);

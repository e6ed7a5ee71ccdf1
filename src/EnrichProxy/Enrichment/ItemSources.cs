using System.Text.Json.Nodes;

namespace EnrichProxy.Enrichment;

/// <summary>
/// Reads the tiers of any kind of item as its <see cref="ItemKindDefinition"/> describes them: the Arr library
/// and the external APIs, each through the proxy's own cached routes.
/// </summary>
internal sealed class ItemSources(TierReader reader)
{
    /// <summary>The item in its Arr library; skipped when the proxy holds no key for the instance.</summary>
    public async Task<LibraryRead> ReadLibraryAsync(ItemKindDefinition kind, ItemKey item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kind);
        var library = kind.Library;
        if (!reader.HasKey(library.ClusterId))
        {
            return LibraryRead.NotConfigured;
        }

        var read = await reader.ReadAsync(Tiers.Arr, library.RouteId, library.Path, $"?{library.QueryParameter}={item.Id}", cancellationToken);
        if (read is not { IsSuccess: true, Json: JsonArray entries })
        {
            return LibraryRead.Failure;
        }

        // The Arr filters by the query, but an older one may not: the entry must carry the id itself.
        var found = entries.OfType<JsonObject>().FirstOrDefault(entry =>
            string.Equals(entry[library.IdProperty]?.ToString(), item.Id, StringComparison.OrdinalIgnoreCase));
        if (found is null)
        {
            return LibraryRead.NotInLibrary;
        }

        var mapped = library.Map(found);
        return new LibraryRead(mapped.Fields, mapped.Ids, mapped.Library, Failed: false);
    }

    /// <summary>
    /// The item from its external APIs. Not cancelled with the caller: a read left behind by a soft timeout
    /// completes the document in the background.
    /// </summary>
    public async Task<ExternalRead> ReadExternalAsync(ItemKindDefinition kind, ItemKey item)
    {
        ArgumentNullException.ThrowIfNull(kind);
        var images = kind.Images is { } source && (source.KeyCluster is null || reader.HasKey(source.KeyCluster))
            ? ReadAsync(source, item)
            : null;
        var (found, failed) = await ReadAsync(kind.External, item);
        if (found is null)
        {
            return failed ? ExternalRead.Failure : ExternalRead.NotFound;
        }

        var incomplete = false;
        if (images is not null)
        {
            var (added, imagesFailed) = await images;
            foreach (var (name, value) in added?.Fields ?? [])
            {
                found.Fields[name] = value?.DeepClone();
            }

            incomplete = imagesFailed; // The background tries again.
        }

        return new ExternalRead(found.Fields, found.Ids ?? kind.IdsOf(item), Failed: false, Incomplete: incomplete);
    }

    // The source's fields; null and not failed when it does not know the item.
    private async Task<(ExternalFields? Found, bool Failed)> ReadAsync(ExternalSource source, ItemKey item)
    {
        var read = await reader.ReadAsync(Tiers.External, source.RouteId, source.PathOf(item), source.Query, CancellationToken.None);
        if (read is null)
        {
            return (null, true);
        }

        if (source.NotFoundStatuses.Contains(read.StatusCode))
        {
            return (null, false);
        }

        return read is { IsSuccess: true, Json: { } json } && source.Map(json) is { } fields ? (fields, false) : (null, true);
    }
}

using System.Text.Json.Nodes;

namespace EnrichProxy.Enrichment;

/// <summary>
/// Merges what the tiers said of one item, field by field: the first tier in priority order that has a
/// field gives it, and <c>sources</c> says which one did.
/// </summary>
internal static class DocumentAssembly
{
    /// <summary>The tiers' fields in priority order (internal, then arr, then external); a null tier had nothing.</summary>
    public static (JsonObject Document, JsonObject Sources) Merge(JsonObject ids, IReadOnlyList<string> fields, params (string Tier, JsonObject? Fields)[] tiers)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(fields);
        var document = new JsonObject { ["ids"] = ids.DeepClone() };
        var sources = new JsonObject();
        foreach (var field in fields)
        {
            foreach (var (tier, values) in tiers)
            {
                if (values is not null && values.TryGetPropertyValue(field, out var value))
                {
                    document[field] = value?.DeepClone();
                    sources[field] = tier;
                    break;
                }
            }
        }

        return (document, sources);
    }

    /// <summary>
    /// Adds the override's fields no source has (the operator's additions) to a whole document; a document
    /// of named <paramref name="fields"/> has only those.
    /// </summary>
    public static void AddExtraOverrides(JsonObject document, JsonObject sources, IReadOnlyList<string>? fields, JsonObject? overrides)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(sources);
        if (fields is not null || overrides is null)
        {
            return;
        }

        foreach (var (name, value) in overrides)
        {
            if (!document.ContainsKey(name))
            {
                document[name] = value?.DeepClone();
                sources[name] = Tiers.Internal;
            }
        }
    }

    /// <summary>Fills the ids the first tiers did not know from later ones (a library item carries TMDb's and IMDb's).</summary>
    public static JsonObject MergeIds(params JsonObject?[] idSets)
    {
        var ids = new JsonObject();
        foreach (var set in idSets)
        {
            foreach (var (name, value) in set ?? [])
            {
                if (value is not null && ids[name] is null)
                {
                    ids[name] = value.DeepClone();
                }
            }
        }

        return ids;
    }

    /// <summary>Only the asked fields of a cached document, with its ids, library, sources and completeness.</summary>
    public static JsonObject Project(JsonObject document, IReadOnlyList<string>? fields)
    {
        ArgumentNullException.ThrowIfNull(document);
        if (fields is null)
        {
            return document;
        }

        var projected = new JsonObject { ["ids"] = document["ids"]?.DeepClone() };
        var sources = new JsonObject();
        foreach (var field in fields)
        {
            if (document.TryGetPropertyValue(field, out var value))
            {
                projected[field] = value?.DeepClone();
                if (document["sources"]?[field] is { } source)
                {
                    sources[field] = source.DeepClone();
                }
            }
        }

        projected["library"] = document["library"]?.DeepClone();
        projected["sources"] = sources;
        projected["complete"] = document["complete"]?.DeepClone();
        return projected;
    }
}

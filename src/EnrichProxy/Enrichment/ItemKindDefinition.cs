using System.Text.Json.Nodes;

namespace EnrichProxy.Enrichment;

/// <summary>How the ids of a kind of item are written.</summary>
internal enum ItemIdFormat
{
    /// <summary>A positive integer (TMDb, TheTVDB).</summary>
    PositiveInteger,

    /// <summary>A GUID written lower-case with hyphens (a MusicBrainz MBID).</summary>
    Mbid,
}

/// <summary>
/// One kind of item the enrichment API serves (movies, series, artists), described once: its id, its
/// document's fields, the Arr library that may hold it and the external APIs that describe it. The
/// chain, the warm-up, the webhooks and the library-state rule read this; none of them names a kind.
/// </summary>
internal sealed record ItemKindDefinition
{
    public required ItemKind Kind { get; init; }

    /// <summary>The kind in paths and logs: <c>movies</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The endpoint's id parameter, named after the provider whose id it is: <c>tmdbId</c>.</summary>
    public required string IdParameter { get; init; }

    public required ItemIdFormat IdFormat { get; init; }

    /// <summary>What a valid id looks like, for error messages.</summary>
    public required string IdDescription { get; init; }

    /// <summary>The id's name in the document's <c>ids</c>: <c>tmdb</c>.</summary>
    public required string IdName { get; init; }

    /// <summary>The endpoint's summary in the OpenAPI description.</summary>
    public required string Summary { get; init; }

    /// <summary>Every field of the document, in the order it is written (<c>ids</c> and <c>library</c> aside).</summary>
    public required IReadOnlyList<string> Fields { get; init; }

    /// <summary>Tags, besides the document's own, whose purges cover the document; <c>{id}</c> is the item's id.</summary>
    public IReadOnlyList<string> CoveringTags { get; init; } = [];

    public required ArrLibrary Library { get; init; }

    /// <summary>The external API that describes the item.</summary>
    public required ExternalSource External { get; init; }

    /// <summary>An external API that adds images, asked beside <see cref="External"/> when the proxy holds its key; a failure leaves the document incomplete.</summary>
    public ExternalSource? Images { get; init; }

    /// <summary>The ids known from the request alone.</summary>
    public JsonObject IdsOf(ItemKey item) => IdFormat == ItemIdFormat.PositiveInteger
        ? new JsonObject { [IdName] = int.Parse(item.Id, System.Globalization.CultureInfo.InvariantCulture) }
        : new JsonObject { [IdName] = item.Id };
}

/// <summary>
/// The Arr app whose library holds a kind of item: its cluster and app name (webhooks), the route and query
/// that find one item, where each entry keeps the item's id, and how an entry maps onto the document.
/// </summary>
/// <param name="App">The Arr app, as its webhook path names it: <c>radarr</c>.</param>
/// <param name="ClusterId">The cluster of the instance; without a key for it the library is not asked.</param>
/// <param name="RouteId">The cached route of the library reads.</param>
/// <param name="Path">The library's path through the proxy: <c>/radarr/api/v3/movie</c>; the whole library without a query.</param>
/// <param name="QueryParameter">The query parameter that finds one item by id: <c>tmdbId</c>.</param>
/// <param name="IdProperty">The property of each entry that holds the item's id.</param>
/// <param name="WebhookIdPaths">Where the app's webhook payloads name the item, tried in order.</param>
/// <param name="Map">An entry as document fields, ids and library state.</param>
internal sealed record ArrLibrary(
    string App, string ClusterId, string RouteId, string Path, string QueryParameter, string IdProperty,
    IReadOnlyList<string[]> WebhookIdPaths, Func<JsonObject, LibraryItem> Map);

/// <summary>An Arr library entry as the document sees it.</summary>
internal sealed record LibraryItem(JsonObject Fields, JsonObject? Ids, JsonObject Library);

/// <summary>
/// An external API's answer about one item: the cached route that reads it, the path (<c>{id}</c> is the
/// item's id) and query, which statuses say it does not know the item, and how its JSON maps onto the document.
/// </summary>
/// <param name="RouteId">The cached route of the reads.</param>
/// <param name="PathTemplate">The path through the proxy, <c>{id}</c> replaced by the item's id.</param>
/// <param name="Query">The query string, with its <c>?</c>, or empty.</param>
/// <param name="NotFoundStatuses">Statuses that mean the API does not know the item (not a failure).</param>
/// <param name="Map">The answer's JSON as fields and ids; null when it is not of the expected shape.</param>
/// <param name="KeyCluster">Asked only when the proxy holds a key for this cluster; null: always asked.</param>
internal sealed record ExternalSource(
    string RouteId, string PathTemplate, string Query, IReadOnlyList<int> NotFoundStatuses,
    Func<JsonNode, ExternalFields?> Map, string? KeyCluster = null)
{
    public string PathOf(ItemKey item) => PathTemplate.Replace("{id}", item.Id, StringComparison.Ordinal);
}

/// <summary>What an external API says of an item, as document fields and ids.</summary>
internal sealed record ExternalFields(JsonObject Fields, JsonObject? Ids);

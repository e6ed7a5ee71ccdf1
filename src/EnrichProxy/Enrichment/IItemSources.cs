using System.Text.Json.Nodes;
using EnrichProxy.Enrichment.Overrides;

namespace EnrichProxy.Enrichment;

/// <summary>
/// What the priority chain needs to know of one kind of item: its fields, its tags, and how its library
/// (an Arr instance) and its external APIs are read and mapped onto the document.
/// </summary>
internal interface IItemSources
{
    ItemKind Kind { get; }

    /// <summary>Every field of the document, in the order it is written (<c>ids</c> and <c>library</c> aside).</summary>
    IReadOnlyList<string> Fields { get; }

    /// <summary>The tags whose purges cover the item's document.</summary>
    IReadOnlyList<string> Tags(ItemKey item);

    /// <summary>The ids known from the request alone.</summary>
    JsonObject Ids(ItemKey item);

    /// <summary>Where the Arr library lists every item of this kind, for the warm-up.</summary>
    LibraryListing Listing { get; }

    /// <summary>The Arr library: skipped when no instance is configured.</summary>
    Task<LibraryRead> ReadLibraryAsync(ItemKey item, CancellationToken cancellationToken);

    /// <summary>The external APIs. Not cancelled with the caller: a read left behind by a soft timeout completes the document in the background.</summary>
    Task<ExternalRead> ReadExternalAsync(ItemKey item);
}

/// <summary>An Arr library's list of every item: the route that reads it, and the property of each entry that holds the item's id.</summary>
internal sealed record LibraryListing(string ClusterId, string RouteId, string Path, string IdProperty);

/// <summary>What the library said: the item (fields, ids, library state), not in the library, failed, or not configured.</summary>
internal sealed record LibraryRead(JsonObject? Fields, JsonObject? Ids, JsonObject? Library, bool Failed)
{
    public static readonly LibraryRead NotConfigured = new(null, null, null, Failed: false);
    public static readonly LibraryRead NotInLibrary = new(null, null, null, Failed: false);
    public static readonly LibraryRead Failure = new(null, null, null, Failed: true);

    public bool Found => Fields is not null;
}

/// <summary>What the external APIs said: the fields and ids, nothing (404), or a failure; <see cref="Incomplete"/> when a secondary source failed.</summary>
internal sealed record ExternalRead(JsonObject? Fields, JsonObject? Ids, bool Failed, bool Incomplete = false)
{
    public static readonly ExternalRead NotFound = new(null, null, Failed: false);
    public static readonly ExternalRead Failure = new(null, null, Failed: true);
}

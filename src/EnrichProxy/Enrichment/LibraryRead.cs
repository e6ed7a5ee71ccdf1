using System.Text.Json.Nodes;

namespace EnrichProxy.Enrichment;

/// <summary>What the library said: the item (fields, ids, library state), not in the library, failed, not configured, or not asked (a public document).</summary>
internal sealed record LibraryRead(JsonObject? Fields, JsonObject? Ids, JsonObject? Library, bool Failed)
{
    public static readonly LibraryRead NotConfigured = new(null, null, null, Failed: false);
    public static readonly LibraryRead NotInLibrary = new(null, null, null, Failed: false);
    public static readonly LibraryRead Failure = new(null, null, null, Failed: true);
    public static readonly LibraryRead NotAsked = new(null, null, null, Failed: false);

    public bool Found => Fields is not null;
}

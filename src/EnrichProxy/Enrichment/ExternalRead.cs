using System.Text.Json.Nodes;

namespace EnrichProxy.Enrichment;

/// <summary>What the external APIs said: the fields and ids, nothing (not found), or a failure; <see cref="Incomplete"/> when a secondary source failed.</summary>
internal sealed record ExternalRead(JsonObject? Fields, JsonObject? Ids, bool Failed, bool Incomplete = false)
{
    public static readonly ExternalRead NotFound = new(null, null, Failed: false);
    public static readonly ExternalRead Failure = new(null, null, Failed: true);
}

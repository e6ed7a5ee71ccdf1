using System.Text.Json.Nodes;

namespace EnrichProxy.Enrichment;

/// <summary>How a resolution ended.</summary>
internal enum EnrichmentOutcome
{
    /// <summary>A document, complete or partial.</summary>
    Found,

    /// <summary>No tier knows the item, and none failed to say.</summary>
    NotFound,

    /// <summary>Tiers failed, none found the item, and nothing is cached.</summary>
    Failed,
}

/// <summary>The answer of the priority chain for one item.</summary>
/// <param name="Outcome">Found, not found, or failed.</param>
/// <param name="Document">The merged document when found.</param>
/// <param name="Source">The tier that answered: <c>cache</c>, <c>arr</c>, <c>internal</c> or <c>external</c>.</param>
/// <param name="FailedTiers">Tiers that could not be asked or did not answer.</param>
internal sealed record EnrichmentAnswer(EnrichmentOutcome Outcome, JsonObject? Document, string? Source, IReadOnlyList<string> FailedTiers)
{
    public static EnrichmentAnswer Found(JsonObject document, string source, IReadOnlyList<string> failedTiers) =>
        new(EnrichmentOutcome.Found, document, source, failedTiers);
}

/// <summary>The tiers' names, as <c>sources</c> and <c>X-EnrichProxy-Source</c> give them.</summary>
internal static class Tiers
{
    public const string Cache = "cache";
    public const string Arr = "arr";
    public const string Internal = "internal";
    public const string External = "external";
}

using System.Text.Json.Serialization;

namespace EnrichProxy.Caching.Purging;

/// <summary>What a purge names: one URL, every answer of a route, every answer carrying a tag, or every answer.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PurgeScope>))]
internal enum PurgeScope
{
    Url,
    Route,
    Tag,

    /// <summary>Everything stored up to the marker's time: what a full ledger folds its oldest URL and route markers into (<see cref="PurgeLedger.MaxMarkers"/>).</summary>
    Everything,

    /// <summary>Every answer carrying a tag that begins with the value (<c>enrich:movies:</c>): what a full ledger folds its oldest tag markers into.</summary>
    TagPrefix,
}

/// <summary>
/// "Every answer of this URL, route or tag stored at or before <paramref name="PurgedAt"/> is gone."
/// Entries are not hunted down: a read finds the marker and treats the entry as missing.
/// </summary>
/// <param name="Scope">What <paramref name="Value"/> names.</param>
/// <param name="Value">The URL's path-and-query part of the key (<see cref="PurgeUrls"/>), the route id, or the tag.</param>
/// <param name="PurgedAt">When the purge was made.</param>
internal sealed record PurgeMarker(PurgeScope Scope, string Value, DateTimeOffset PurgedAt)
{
    /// <summary>The value of an <see cref="PurgeScope.Everything"/> marker.</summary>
    public const string EverythingValue = "*";

    /// <summary>The marker's identity in the ledger and in stores: scope and value.</summary>
    [JsonIgnore]
    public string Key => KeyOf(Scope, Value);

    /// <summary>Whether a marker read from a store can be used: a known scope and a value.</summary>
    [JsonIgnore]
    public bool IsWellFormed => Enum.IsDefined(Scope) && !string.IsNullOrEmpty(Value);

    public static string KeyOf(PurgeScope scope, string value) => scope switch
    {
        PurgeScope.Url => "url:" + value,
        PurgeScope.Route => "route:" + value,
        PurgeScope.Everything => "everything",
        PurgeScope.TagPrefix => "tagprefix:" + value,
        _ => "tag:" + value,
    };

    public static string ScopeName(PurgeScope scope) => scope switch
    {
        PurgeScope.Url => "url",
        PurgeScope.Route => "route",
        PurgeScope.Everything => "everything",
        PurgeScope.TagPrefix => "tag-prefix",
        _ => "tag",
    };
}

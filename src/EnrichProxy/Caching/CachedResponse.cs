using System.Text.Json.Serialization;

namespace EnrichProxy.Caching;

/// <summary>
/// An upstream answer as the cache keeps it: status, the headers worth replaying and the whole body,
/// ready to write. Immutable once built, so one instance serves any number of concurrent clients.
/// </summary>
internal sealed class CachedResponse
{
    /// <summary>Returned by a fill whose answer belongs to the client that caused it only; never stored.</summary>
    public static readonly CachedResponse NotShared = PassThrough(default);

    public required int StatusCode { get; init; }

    /// <summary>Name and value pairs, hop-by-hop and per-connection headers already removed.</summary>
    public required CachedHeader[] Headers { get; init; }

    public required byte[] Body { get; init; }

    /// <summary>When the upstream answered; the base of <c>Age</c> and of HIT versus STALE.</summary>
    public DateTimeOffset StoredAt { get; init; }

    /// <summary>
    /// When the request for this answer was sent. A purge made while the request was on its way covers
    /// the answer: the upstream may have answered from before the purge. (Entries stored before this
    /// field existed have none and fall back on <see cref="StoredAt"/>.)
    /// </summary>
    public DateTimeOffset RequestedAt { get; init; }

    /// <summary>The time purges are compared with.</summary>
    [JsonIgnore]
    public DateTimeOffset PurgeStamp => RequestedAt == default ? StoredAt : RequestedAt;

    /// <summary>Whether requests for this key are forwarded instead of answered from this entry.</summary>
    [JsonIgnore]
    public bool IsPassThrough => StatusCode == 0;

    /// <summary>
    /// A stored reminder that the answers of a key are too large to cache: until it expires, requests
    /// are forwarded (streaming) at once instead of each starting a fill that gives up half-way.
    /// </summary>
    public static CachedResponse PassThrough(DateTimeOffset storedAt) => new() { StatusCode = 0, Headers = [], Body = [], StoredAt = storedAt };

    public TimeSpan AgeAt(DateTimeOffset now) => now - StoredAt;
}

/// <summary>One response header of a <see cref="CachedResponse"/>.</summary>
internal readonly record struct CachedHeader(string Name, string Value);

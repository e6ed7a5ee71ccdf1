using System.Text.Json.Serialization;

namespace EnrichProxy.Caching;

/// <summary>
/// An upstream answer as the cache keeps it: status, the headers worth replaying and the whole body,
/// ready to write. Immutable once built, so one instance serves any number of concurrent clients.
/// </summary>
internal sealed class CachedResponse
{
    /// <summary>Returned by a fill whose answer must not be shared; never stored.</summary>
    public static readonly CachedResponse NotShared = new() { StatusCode = 0, Headers = [], Body = [] };

    public required int StatusCode { get; init; }

    /// <summary>Name and value pairs, hop-by-hop and per-connection headers already removed.</summary>
    public required CachedHeader[] Headers { get; init; }

    public required byte[] Body { get; init; }

    /// <summary>When the upstream answered; the base of <c>Age</c> and of HIT versus STALE.</summary>
    public DateTimeOffset StoredAt { get; init; }

    [JsonIgnore]
    public bool IsNotShared => ReferenceEquals(this, NotShared);

    public TimeSpan AgeAt(DateTimeOffset now) => now - StoredAt;
}

/// <summary>One response header of a <see cref="CachedResponse"/>.</summary>
internal readonly record struct CachedHeader(string Name, string Value);

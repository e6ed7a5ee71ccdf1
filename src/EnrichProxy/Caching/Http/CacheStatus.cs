using System.Globalization;

namespace EnrichProxy.Caching.Http;

/// <summary>Why a request went to the upstream, as RFC 9211's <c>fwd</c> parameter names it.</summary>
internal enum ForwardedBecause
{
    /// <summary>The cache was configured not to handle the request (credentials it cannot vouch for, a body too large, a private answer).</summary>
    Bypass,

    /// <summary>The method is not one the cache answers (anything but GET and HEAD).</summary>
    Method,

    /// <summary>Nothing was stored for the URI.</summary>
    UriMiss,

    /// <summary>An entry was found, but stale.</summary>
    Stale,

    /// <summary>The request itself asked for something the cache does not answer (an upgrade).</summary>
    Request,
}

/// <summary>
/// The <c>Cache-Status</c> member (RFC 9211) EnrichProxy adds to every answer of a cached route, beside the folk
/// <c>X-Cache</c>: <c>EnrichProxy; hit; ttl=3540</c>, <c>EnrichProxy; fwd=uri-miss; fwd-status=200; stored; ttl=3600</c>.
/// </summary>
internal static class CacheStatus
{
    public const string HeaderName = "Cache-Status";

    /// <summary>The cache's name in the field (PRODUCT.md).</summary>
    public const string CacheName = "EnrichProxy";

    // The members of fresh hits by their ttl, made once per ttl and second rather than once per hit: on the hit path a string
    // per answer is a measurable share of the work. A slot holds one ttl at a time; a miss only costs the string.
    private static readonly HitMember?[] RecentHits = new HitMember?[4096];

    /// <summary>Answered from the cache: fresh (a positive <paramref name="ttl"/>, seconds) or stale (negative), with why it was stale.</summary>
    public static string Hit(long ttl, string? detail = null)
    {
        if (detail is not null)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{CacheName}; hit; ttl={ttl}; detail={detail}");
        }

        var slot = (int)(ttl & (RecentHits.Length - 1));
        if (Volatile.Read(ref RecentHits[slot]) is { } recent && recent.Ttl == ttl)
        {
            return recent.Member;
        }

        var member = string.Create(CultureInfo.InvariantCulture, $"{CacheName}; hit; ttl={ttl}");
        Volatile.Write(ref RecentHits[slot], new HitMember(ttl, member));
        return member;
    }

    /// <summary>
    /// The seconds an entry of <paramref name="lifetime"/> has left at <paramref name="age"/>, in whole seconds as the
    /// <c>Age</c> header says them, so that <c>Age</c> and <c>ttl</c> add up to the lifetime.
    /// </summary>
    public static long Ttl(TimeSpan lifetime, TimeSpan age) =>
        (long)lifetime.TotalSeconds - (age <= TimeSpan.Zero ? 0 : (long)age.TotalSeconds);

    /// <summary>Went to the upstream (or would have, for <see cref="ForwardedBecause.Bypass"/> and <see cref="ForwardedBecause.Method"/>).</summary>
    /// <param name="because">Why.</param>
    /// <param name="upstreamStatus">The status the upstream answered, when one did.</param>
    /// <param name="stored">Whether the answer was stored.</param>
    /// <param name="collapsed">Whether this request waited on another's upstream request for the same key.</param>
    /// <param name="ttl">The stored answer's seconds to live (<see cref="Ttl"/>), when it was stored (negative for a stale answer given instead).</param>
    /// <param name="detail">A token saying more (<c>stale-if-error</c>, <c>too-large</c>...).</param>
    public static string Forwarded(
        ForwardedBecause because, int? upstreamStatus = null, bool stored = false, bool collapsed = false, long? ttl = null, string? detail = null)
    {
        var member = new System.Text.StringBuilder(96).Append(CacheName).Append("; fwd=").Append(Token(because));
        if (upstreamStatus is { } status)
        {
            member.Append("; fwd-status=").Append(status.ToString(CultureInfo.InvariantCulture));
        }

        if (stored)
        {
            member.Append("; stored");
        }

        if (collapsed)
        {
            member.Append("; collapsed");
        }

        if (ttl is { } remaining)
        {
            member.Append("; ttl=").Append(remaining.ToString(CultureInfo.InvariantCulture));
        }

        if (detail is not null)
        {
            member.Append("; detail=").Append(detail);
        }

        return member.ToString();
    }

    /// <summary>The member for a read's result (<see cref="ReadThroughCache.ReadAsync"/>), answered with <paramref name="policy"/>.</summary>
    public static string Of(ReadResult result, CachePolicy policy)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(policy);
        return result switch
        {
            ReadResult.Hit hit => Hit(TtlOf(hit.Entry, hit.Age, policy)),
            ReadResult.Stale { Reason: StaleReason.Revalidating } stale => Hit(TtlOf(stale.Entry, stale.Age, policy), "stale-while-revalidate"),
            ReadResult.Stale { Reason: StaleReason.UpstreamFailing } stale => Hit(TtlOf(stale.Entry, stale.Age, policy), "stale-if-error"),
            ReadResult.Stale stale => Forwarded(
                ForwardedBecause.Stale, collapsed: result.Coalesced, ttl: TtlOf(stale.Entry, stale.Age, policy),
                detail: stale.Reason == StaleReason.SoftTimeout ? "soft-timeout" : "stale-if-error"),
            ReadResult.Filled { Fetch: { } fetch } filled => Forwarded(
                fetch.ReplacedStale ? ForwardedBecause.Stale : ForwardedBecause.UriMiss, fetch.UpstreamStatus, fetch.Stored, result.Coalesced,
                fetch.Stored ? TtlOf(filled.Entry, filled.Age, policy) : null),
            ReadResult.Filled filled => Forwarded(ForwardedBecause.UriMiss, stored: true, collapsed: true, ttl: TtlOf(filled.Entry, filled.Age, policy)),
            ReadResult.Private own => Forwarded(ForwardedBecause.UriMiss, own.Answer.StatusCode, detail: "private"),
            ReadResult.Failed { Problem.Answer: { } answer } => Forwarded(ForwardedBecause.UriMiss, answer.StatusCode, collapsed: result.Coalesced),
            ReadResult.Failed => Forwarded(ForwardedBecause.UriMiss, collapsed: result.Coalesced, detail: "upstream-unreachable"),
            ReadResult.Forward { Reason: ForwardReason.TooLarge } => Forwarded(ForwardedBecause.Bypass, detail: "too-large"),
            ReadResult.Forward { Reason: ForwardReason.NotShared } => Forwarded(ForwardedBecause.Bypass, collapsed: true, detail: "private"),
            _ => Forwarded(ForwardedBecause.Bypass, detail: "credentials"),
        };
    }

    /// <summary>The member for an answer assembled from many entries (a batch), which has no one ttl: what its entries' worst result was.</summary>
    public static string Summary(CacheResult result) => result switch
    {
        CacheResult.Hit => CacheName + "; hit",
        CacheResult.Stale => CacheName + "; hit; detail=stale",
        CacheResult.Miss => Forwarded(ForwardedBecause.UriMiss),
        _ => Forwarded(ForwardedBecause.Bypass),
    };

    /// <summary>Sets the field of an answer from the cache, which no other cache handled (stored answers keep no upstream member).</summary>
    public static void Set(IHeaderDictionary headers, string member)
    {
        ArgumentNullException.ThrowIfNull(headers);
        headers[HeaderName] = member;
    }

    /// <summary>Adds <paramref name="member"/> to a forwarded answer, after the upstream caches' own: those nearer the origin come first.</summary>
    public static void Add(IHeaderDictionary headers, string member)
    {
        ArgumentNullException.ThrowIfNull(headers);
        headers.Append(HeaderName, member);
    }

    private sealed record HitMember(long Ttl, string Member);

    private static long TtlOf(CachedResponse entry, TimeSpan age, CachePolicy policy) => Ttl(Freshness.Lifetime(entry, policy), age);

    private static string Token(ForwardedBecause because) => because switch
    {
        ForwardedBecause.Bypass => "bypass",
        ForwardedBecause.Method => "method",
        ForwardedBecause.UriMiss => "uri-miss",
        ForwardedBecause.Stale => "stale",
        _ => "request",
    };
}

using System.Globalization;
using EnrichProxy.Upstreams;
using Microsoft.Net.Http.Headers;

namespace EnrichProxy.Caching.Http;

/// <summary>
/// RFC 9111 for the answers of a <c>Freshness: Origin</c> policy: which directives count (a targeted field, RFC 9213,
/// before <c>Cache-Control</c>), whether the answer may be stored for every client, and how long it stays fresh.
/// The policy's TTL and stale windows bound whatever the origin says.
/// </summary>
internal static partial class OriginRules
{
    /// <summary>The targeted fields EnrichProxy follows before <c>Cache-Control</c>, most specific first (RFC 9213).</summary>
    public static readonly string[] TargetedFields = ["EnrichProxy-Cache-Control", "CDN-Cache-Control"];

    // Request fields whose values compare without case (RFC 9110), so that a secondary key may hold them in lower case.
    private static readonly HashSet<string> CaseInsensitiveFields = new(StringComparer.OrdinalIgnoreCase)
    {
        HeaderNames.Accept, HeaderNames.AcceptLanguage, HeaderNames.AcceptCharset,
    };

    // RFC 9111 4.2.2: a tenth of the time since the last modification is the usual heuristic.
    private const double HeuristicFraction = 0.1;

    /// <summary>The directives the cache follows, and whether they came from a targeted field (then <c>Expires</c> is ignored too).</summary>
    public static (CacheControlHeaderValue? Directives, bool Targeted) DirectivesOf(UpstreamAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        foreach (var field in TargetedFields)
        {
            if (AllValues(answer, field) is { Length: > 0 } value && CacheControlHeaderValue.TryParse(Lenient(value), out var targeted))
            {
                return (targeted, true);
            }
        }

        if (AllValues(answer, HeaderNames.CacheControl) is not { Length: > 0 } cacheControl)
        {
            return (null, false);
        }

        if (CacheControlHeaderValue.TryParse(Lenient(cacheControl), out var parsed))
        {
            return (parsed, false);
        }

        // A field that does not parse (max-age=-1, a quoted max-age) says nothing reliable of freshness: stale, so revalidated
        // before use (RFC 9111 4.2.1); and for its requester only if it so much as mentions it.
        return (new CacheControlHeaderValue
        {
            MaxAge = TimeSpan.Zero,
            Private = cacheControl.Contains("private", StringComparison.OrdinalIgnoreCase),
            NoStore = cacheControl.Contains("no-store", StringComparison.OrdinalIgnoreCase),
        }, false);
    }

    // A delta-seconds past 2^31 counts as 2^31 (RFC 9111 1.2.2), which the parser refuses: here int.MaxValue, its largest, a
    // second short of it. (A quoted one, which 5.2 says to accept, stays refused: the public conformance suite wants that stale.)
    private static string Lenient(string cacheControl) =>
        LongDeltaSeconds().Replace(cacheControl, match =>
            decimal.Parse(match.Groups["seconds"].Value, CultureInfo.InvariantCulture) > int.MaxValue
                ? match.Groups["name"].Value + "=" + int.MaxValue.ToString(CultureInfo.InvariantCulture)
                : match.Value);

    [System.Text.RegularExpressions.GeneratedRegex("(?<name>max-age|s-maxage|stale-while-revalidate|stale-if-error)=(?<seconds>[0-9]{10,28})\\b",
        System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex LongDeltaSeconds();

    // Every line of a list field, as one list (two Cache-Control lines are one field).
    private static string? AllValues(UpstreamAnswer answer, string name)
    {
        string? joined = null;
        foreach (var header in answer.Headers)
        {
            if (header.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                joined = joined is null ? header.Value : joined + ", " + header.Value;
            }
        }

        return joined;
    }

    /// <summary>
    /// Whether the answer is for its requester alone: <c>private</c>, <c>no-store</c>, or a <c>Vary</c> on a request header a
    /// fill does not send (<c>*</c>, a credential, one the policy does not forward: <see cref="CachePolicy.Forwards"/>), by which
    /// the origin could not have chosen. <c>Accept-Encoding</c> does not count: fills store the plain body for every client.
    /// </summary>
    public static bool IsForRequesterOnly(UpstreamAnswer answer, CachePolicy policy)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(policy);
        var (directives, _) = DirectivesOf(answer);
        if (directives is { Private: true } or { NoStore: true })
        {
            return true;
        }

        foreach (var name in VaryNames(answer))
        {
            if (name == "*" || !(name == "accept-encoding" || IsKeyedBy(policy, name) || policy.Forwards(name)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The request headers, beyond the policy's key, that the answer's <c>Vary</c> names (lower case, sorted): its entry is
    /// kept under a secondary key made of their values, one per variant. Null when the answer does not vary by any.
    /// </summary>
    public static string[]? VariesBy(UpstreamAnswer answer, CachePolicy policy)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(policy);
        var names = VaryNames(answer).Where(name => name != "accept-encoding" && !IsKeyedBy(policy, name) && policy.Forwards(name))
            .Distinct().Order(StringComparer.Ordinal).ToArray();
        return names.Length == 0 ? null : names;
    }

    /// <summary>
    /// A request header's value as a secondary key holds it (RFC 9111 4.1): list members without the blanks around them, and
    /// in lower case for the fields that compare without case (<c>Accept</c>, <c>Accept-Language</c>, <c>Accept-Charset</c>),
    /// so that <c>en-US, fr;q=0.5</c> and <c>en-us,fr;q=0.5</c> are one variant.
    /// </summary>
    public static string NormalizedValue(string name, string? value)
    {
        if (value is null)
        {
            return string.Empty;
        }

        var members = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return CaseInsensitiveFields.Contains(name)
            ? string.Join(',', members.Select(member => member.Replace(" ", string.Empty, StringComparison.Ordinal).ToLowerInvariant()))
            : string.Join(',', members);
    }

    private static IEnumerable<string> VaryNames(UpstreamAnswer answer)
    {
        foreach (var header in answer.Headers)
        {
            if (header.Name.Equals(HeaderNames.Vary, StringComparison.OrdinalIgnoreCase))
            {
                foreach (var name in header.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    yield return name.ToLowerInvariant();
                }
            }
        }
    }

    /// <summary>How long a storable <paramref name="answer"/> stays fresh and may be answered stale, within the policy's bounds.</summary>
    public static OriginFreshness FreshnessOf(UpstreamAnswer answer, CachePolicy policy)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(policy);
        var (directives, targeted) = DirectivesOf(answer);
        var date = answer.OriginDate ?? answer.ReceivedAt;
        var notFound = answer.StatusCode is StatusCodes.Status404NotFound or StatusCodes.Status410Gone;
        var cap = notFound ? policy.NegativeTtl : policy.Ttl;
        var lifetime = Min(ExplicitLifetime(answer, directives, targeted, date) ?? HeuristicLifetime(answer, date, cap), cap);
        // A "not found" is never answered stale either, as with the policy's own freshness: the item may exist by now.
        var mustRevalidate = notFound || directives is { NoCache: true } or { MustRevalidate: true } or { ProxyRevalidate: true } or { SharedMaxAge: not null };
        if (directives is { NoCache: true })
        {
            lifetime = TimeSpan.Zero; // Stored, and validated with the origin before every use.
        }

        return new OriginFreshness(
            lifetime,
            InitialAge(answer, date),
            mustRevalidate ? TimeSpan.Zero : Min(Extension(directives, "stale-while-revalidate") ?? policy.StaleWhileRevalidate, policy.StaleWhileRevalidate),
            mustRevalidate ? TimeSpan.Zero : Min(Extension(directives, "stale-if-error") ?? policy.StaleIfError, policy.StaleIfError),
            mustRevalidate);
    }

    // s-maxage, then max-age, then Expires less Date (an Expires that is not a date is in the past: RFC 9111 5.3).
    private static TimeSpan? ExplicitLifetime(UpstreamAnswer answer, CacheControlHeaderValue? directives, bool targeted, DateTimeOffset date)
    {
        if ((directives?.SharedMaxAge ?? directives?.MaxAge) is { } maxAge)
        {
            return maxAge;
        }

        if (targeted || answer.Header(HeaderNames.Expires) is not { } expires)
        {
            return null;
        }

        return HeaderUtilities.TryParseDate(expires, out var at) && at > date ? at - date : TimeSpan.Zero;
    }

    // Without an explicit lifetime: a tenth of the time since Last-Modified; without that either, the policy's TTL, the
    // lifetime the operator chose for this kind of answer (README "HTTP caching").
    private static TimeSpan HeuristicLifetime(UpstreamAnswer answer, DateTimeOffset date, TimeSpan cap) =>
        answer.Header(HeaderNames.LastModified) is { } lastModified && HeaderUtilities.TryParseDate(lastModified, out var modified)
            ? modified < date ? (date - modified) * HeuristicFraction : TimeSpan.Zero
            : cap;

    // RFC 9111 4.2.3: the larger of the age the clocks give and the age the caches on the way said, plus the time in flight.
    private static TimeSpan InitialAge(UpstreamAnswer answer, DateTimeOffset date)
    {
        var apparentAge = Max(TimeSpan.Zero, answer.ReceivedAt - date);
        var responseDelay = Max(TimeSpan.Zero, answer.ReceivedAt - answer.SentAt);
        var correctedAge = (answer.OriginAge ?? TimeSpan.Zero) + responseDelay;
        return Max(apparentAge, correctedAge);
    }

    private static TimeSpan? Extension(CacheControlHeaderValue? directives, string name)
    {
        foreach (var extension in directives?.Extensions ?? [])
        {
            if (extension.Name.Equals(name, StringComparison.OrdinalIgnoreCase)
                && long.TryParse(extension.Value.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            {
                return TimeSpan.FromSeconds(Math.Min(seconds, int.MaxValue));
            }
        }

        return null;
    }

    private static bool IsKeyedBy(CachePolicy policy, string header)
    {
        foreach (var keyed in policy.VaryByHeaders)
        {
            if (keyed.Equals(header, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}

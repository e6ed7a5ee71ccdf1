using EnrichProxy.Caching;
using EnrichProxy.Caching.Http;
using EnrichProxy.Configuration;
using EnrichProxy.Upstreams;

namespace EnrichProxy.Tests.Caching;

/// <summary>RFC 9111 freshness for <c>Freshness: Origin</c> policies, one rule per test, bounded by the policy.</summary>
public sealed class OriginRulesTests
{
    private static readonly DateTimeOffset Received = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    // A day fresh, an hour of stale-while-revalidate, a week of stale-if-error, ten minutes for a "not found".
    private static readonly CachePolicy Policy = new("origin", new CachePolicyOptions
    {
        Ttl = TimeSpan.FromDays(1),
        StaleWhileRevalidate = TimeSpan.FromHours(1),
        StaleIfError = TimeSpan.FromDays(7),
        NegativeTtl = TimeSpan.FromMinutes(10),
        Freshness = CacheFreshness.Origin,
        VaryByHeaders = ["Accept-Language"],
    });

    [Theory]
    [InlineData("max-age=600", 600)]
    [InlineData("public, max-age=600", 600)]
    [InlineData("s-maxage=300, max-age=600", 300)] // A shared cache takes s-maxage.
    [InlineData("max-age=31536000", 86400)] // Image CDNs say a year; the policy's TTL is the bound.
    [InlineData("max-age=0", 0)]
    [InlineData("no-cache, max-age=600", 0)]
    [InlineData("max-age=99999999999", 86400)] // Past 2^31: as large as can be (1.2.2), then the policy's bound.
    [InlineData("max-age=99999999999, no-cache", 0)] // And the other directives still count.
    public void Lifetime_ComesFromTheDirectives_WithinThePolicysTtl(string cacheControl, int seconds)
    {
        var freshness = OriginRules.FreshnessOf(Answer(("Cache-Control", cacheControl)), Policy);

        Assert.Equal(TimeSpan.FromSeconds(seconds), freshness.Lifetime);
    }

    [Theory]
    [InlineData("Thu, 03 Dec 2026 13:00:00 GMT", 3600)]
    [InlineData("Thu, 03 Dec 2026 11:00:00 GMT", 0)]
    [InlineData("0", 0)] // Not a date: already expired (RFC 9111 5.3).
    public void Expires_LessDate_IsTheLifetimeWithoutMaxAge(string expires, int seconds)
    {
        var answer = Answer(("Expires", expires)) with { OriginDate = Received };

        Assert.Equal(TimeSpan.FromSeconds(seconds), OriginRules.FreshnessOf(answer, Policy).Lifetime);
    }

    [Theory]
    [InlineData("max-age=-1")]
    [InlineData("max-age='3600'")]
    [InlineData("max-age=\"3600")]
    public void ACacheControlThatDoesNotParse_IsStale(string cacheControl) =>
        Assert.Equal(TimeSpan.Zero, OriginRules.FreshnessOf(Answer(("Cache-Control", cacheControl)), Policy).Lifetime);

    [Fact]
    public void SeveralCacheControlLines_AreOneField()
    {
        var answer = Answer(("Cache-Control", "max-age=3600"), ("Cache-Control", "s-maxage=1"));

        Assert.Equal(TimeSpan.FromSeconds(1), OriginRules.FreshnessOf(answer, Policy).Lifetime);
        Assert.True(OriginRules.IsForRequesterOnly(Answer(("Cache-Control", "max-age=60"), ("Cache-Control", "private")), Policy));
    }

    [Fact]
    public void MaxAge_WinsOverExpires()
    {
        var answer = Answer(("Cache-Control", "max-age=60"), ("Expires", "Thu, 03 Dec 2026 13:00:00 GMT")) with { OriginDate = Received };

        Assert.Equal(TimeSpan.FromSeconds(60), OriginRules.FreshnessOf(answer, Policy).Lifetime);
    }

    [Fact]
    public void WithoutAnExplicitLifetime_ATenthOfTheTimeSinceLastModified_OrElseThePolicysTtl()
    {
        var modifiedTenHoursAgo = Answer(("Last-Modified", "Thu, 03 Dec 2026 02:00:00 GMT")) with { OriginDate = Received };

        Assert.Equal(TimeSpan.FromHours(1), OriginRules.FreshnessOf(modifiedTenHoursAgo, Policy).Lifetime);
        Assert.Equal(Policy.Ttl, OriginRules.FreshnessOf(Answer(), Policy).Lifetime);
    }

    [Fact]
    public void InitialAge_IsTheLargerOfTheApparentAgeAndTheAgeHeaderPlusTheTimeInFlight()
    {
        var throughACache = Answer(("Cache-Control", "max-age=600")) with
        {
            OriginAge = TimeSpan.FromSeconds(100),
            OriginDate = Received.AddSeconds(-50),
            SentAt = Received.AddSeconds(-2),
        };
        var byTheClock = throughACache with { OriginAge = null, OriginDate = Received.AddSeconds(-300) };
        var clockAhead = throughACache with { OriginAge = null, OriginDate = Received.AddSeconds(30) };

        Assert.Equal(TimeSpan.FromSeconds(102), OriginRules.FreshnessOf(throughACache, Policy).InitialAge);
        Assert.Equal(TimeSpan.FromSeconds(300), OriginRules.FreshnessOf(byTheClock, Policy).InitialAge);
        Assert.Equal(TimeSpan.FromSeconds(2), OriginRules.FreshnessOf(clockAhead, Policy).InitialAge);
    }

    [Theory]
    [InlineData("max-age=60", 3600, 7 * 86400, false)] // Silent origin: the operator's windows.
    [InlineData("max-age=60, stale-while-revalidate=30, stale-if-error=600", 30, 600, false)]
    [InlineData("max-age=60, stale-while-revalidate=99999, stale-if-error=99999999", 3600, 7 * 86400, false)] // Bounded by the policy.
    [InlineData("max-age=60, must-revalidate, stale-if-error=600", 0, 0, true)]
    [InlineData("max-age=60, proxy-revalidate", 0, 0, true)]
    [InlineData("s-maxage=60", 0, 0, true)] // s-maxage implies proxy-revalidate.
    [InlineData("no-cache", 0, 0, true)]
    public void StaleWindows_FollowTheOrigin_WithinThePolicys(string cacheControl, int whileRevalidate, int ifError, bool mustRevalidate)
    {
        var freshness = OriginRules.FreshnessOf(Answer(("Cache-Control", cacheControl)), Policy);

        Assert.Equal(TimeSpan.FromSeconds(whileRevalidate), freshness.StaleWhileRevalidate);
        Assert.Equal(TimeSpan.FromSeconds(ifError), freshness.StaleIfError);
        Assert.Equal(mustRevalidate, freshness.MustRevalidate);
    }

    [Fact]
    public void ANotFound_IsBoundedByTheNegativeTtl_AndNeverStale()
    {
        var freshness = OriginRules.FreshnessOf(Answer(("Cache-Control", "max-age=86400")) with { StatusCode = 404 }, Policy);

        Assert.Equal(TimeSpan.FromMinutes(10), freshness.Lifetime);
        Assert.Equal(TimeSpan.Zero, freshness.StaleIfError);
    }

    [Fact]
    public void ATargetedField_WinsOverCacheControlAndExpires_TheMostSpecificFirst()
    {
        var cdn = Answer(("Cache-Control", "no-store"), ("CDN-Cache-Control", "max-age=120"), ("Expires", "0"));
        var ours = Answer(("CDN-Cache-Control", "max-age=120"), ("EnrichProxy-Cache-Control", "max-age=30"));
        var invalid = Answer(("CDN-Cache-Control", "max-age=\"oops"), ("Cache-Control", "max-age=45"));

        Assert.Equal(TimeSpan.FromSeconds(120), OriginRules.FreshnessOf(cdn, Policy).Lifetime);
        Assert.False(OriginRules.IsForRequesterOnly(cdn, Policy)); // Its no-store speaks to other caches.
        Assert.Equal(TimeSpan.FromSeconds(30), OriginRules.FreshnessOf(ours, Policy).Lifetime);
        Assert.Equal(TimeSpan.FromSeconds(45), OriginRules.FreshnessOf(invalid, Policy).Lifetime);
    }

    [Theory]
    [InlineData("Cache-Control", "private, max-age=60", true)]
    [InlineData("Cache-Control", "no-store", true)]
    [InlineData("Vary", "*", true)]
    [InlineData("Vary", "Cookie", true)] // Neither the key nor a fill holds it: another client's answer may differ.
    [InlineData("Vary", "Accept", false)] // Fills send it: one entry per variant (VariesBy).
    [InlineData("Vary", "If-None-Match", true)] // The cache answers it; fills never send it.
    [InlineData("Vary", "User-Agent", true)] // Not among the headers this policy forwards.
    [InlineData("Vary", "Accept-Encoding", false)] // Fills store the plain body whatever the client accepts.
    [InlineData("Vary", "accept-language, Accept-Encoding", false)] // The policy varies by it already.
    [InlineData("Cache-Control", "public, max-age=60", false)]
    public void IsForRequesterOnly_WhenPrivateNoStoreOrVaryingOnWhatTheKeyDoesNotHold(string name, string value, bool expected) =>
        Assert.Equal(expected, OriginRules.IsForRequesterOnly(Answer((name, value)), Policy));

    [Theory]
    [InlineData("Accept", "accept")]
    [InlineData("accept-language, Accept-Encoding", null)] // The policy's key holds Accept-Language; fills store the plain body.
    [InlineData("Accept-Language, ACCEPT, Accept", "accept")]
    [InlineData("Origin, User-Agent", null)] // Not forwarded by this policy: see IsForRequesterOnly.
    [InlineData("Accept-Encoding", null)]
    public void VariesBy_NamesTheRequestHeadersBeyondThePolicysKey(string vary, string? expected) =>
        Assert.Equal(expected, OriginRules.VariesBy(Answer(("Vary", vary)), Policy) is { } names ? string.Join(",", names) : null);

    [Theory]
    [InlineData("Accept", "image/webp,image/*;q=0.8", "image/webp,image/*;q=0.8")]
    [InlineData("Accept", " IMAGE/WEBP ,  image/* ; q=0.8 ", "image/webp,image/*;q=0.8")]
    [InlineData("X-Theme", " Dark ,  Wide ", "Dark,Wide")] // Case may matter to a field RFC 9110 does not define.
    [InlineData("Accept", null, "")]
    public void NormalizedValue_IgnoresBlanks_AndCaseWhereTheFieldDoes(string name, string? value, string expected) =>
        Assert.Equal(expected, OriginRules.NormalizedValue(name, value));

    [Theory]
    [InlineData("Accept", true)]
    [InlineData("X-Request-Tag", true)]
    [InlineData("Authorization", false)]
    [InlineData("Cookie", false)]
    [InlineData("X-Api-Key", false)]
    [InlineData("If-None-Match", false)]
    [InlineData("Range", false)]
    [InlineData("Connection", false)]
    [InlineData("X-Forwarded-Host", false)]
    public void IsForwardedByFills_NeverCredentialsHopByHopOrWhatTheCacheAnswers(string header, bool expected) =>
        Assert.Equal(expected, UpstreamRequest.IsForwardedByFills(header));

    [Fact]
    public void Freshness_OfAnOriginEntry_UsesItsOwnLifetimeAgeAndWindows()
    {
        var entry = new CachedResponse
        {
            StatusCode = 200,
            Headers = [],
            Body = [],
            StoredAt = Received,
            Origin = new OriginFreshness(TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(100), MustRevalidate: false),
        };

        Assert.Equal(EntryState.Fresh, Freshness.Of(entry, Policy, Received.AddSeconds(40), out var age));
        Assert.Equal(TimeSpan.FromSeconds(60), age); // The age it came with, and the time since.
        Assert.Equal(EntryState.Revalidate, Freshness.Of(entry, Policy, Received.AddSeconds(60), out _));
        Assert.Equal(EntryState.StaleAfterFailure, Freshness.Of(entry, Policy, Received.AddSeconds(100), out _));
        Assert.Equal(EntryState.Expired, Freshness.Of(entry, Policy, Received.AddSeconds(200), out _));
        Assert.Equal(TimeSpan.FromSeconds(60), Freshness.Lifetime(entry, Policy));
    }

    private static UpstreamAnswer Answer(params (string Name, string Value)[] headers) => new()
    {
        StatusCode = 200,
        Headers = [.. headers.Select(header => new ResponseHeader(header.Name, header.Value))],
        Body = [],
        SentAt = Received,
        ReceivedAt = Received,
    };
}

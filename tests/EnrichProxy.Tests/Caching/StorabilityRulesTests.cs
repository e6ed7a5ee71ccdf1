using EnrichProxy.Caching;
using EnrichProxy.Upstreams;

namespace EnrichProxy.Tests.Caching;

public sealed class StorabilityRulesTests
{
    [Theory]
    [InlineData(200, nameof(Storability.Fresh))]
    [InlineData(204, nameof(Storability.Fresh))]
    [InlineData(301, nameof(Storability.Fresh))]
    [InlineData(404, nameof(Storability.Negative))]
    [InlineData(410, nameof(Storability.Negative))]
    [InlineData(302, nameof(Storability.SharedNotStored))]
    [InlineData(401, nameof(Storability.SharedNotStored))]
    [InlineData(429, nameof(Storability.UpstreamFailure))]
    [InlineData(500, nameof(Storability.UpstreamFailure))]
    [InlineData(503, nameof(Storability.UpstreamFailure))]
    public void Classify_ByStatus(int status, string expected)
    {
        var policy = TestPolicies.Create(negativeTtl: TimeSpan.FromMinutes(5));

        Assert.Equal(Enum.Parse<Storability>(expected), StorabilityRules.Classify(Answer(status), policy));
    }

    [Fact]
    public void Classify_NotFoundWithoutNegativeTtl_IsSharedButNotStored()
    {
        Assert.Equal(Storability.SharedNotStored, StorabilityRules.Classify(Answer(404), TestPolicies.Create()));
    }

    [Theory]
    [InlineData("no-store")]
    [InlineData("private, max-age=60")]
    [InlineData("no-cache")]
    public void Classify_OriginForbidsSharing_IsPrivate(string cacheControl)
    {
        var answer = Answer(200, new ResponseHeader("Cache-Control", cacheControl));

        Assert.Equal(Storability.Private, StorabilityRules.Classify(answer, TestPolicies.Create()));
    }

    [Fact]
    public void Classify_PolicyOverridesOriginCacheControl_Stores()
    {
        var answer = Answer(200, new ResponseHeader("Cache-Control", "no-cache, no-store"));

        Assert.Equal(Storability.Fresh, StorabilityRules.Classify(answer, TestPolicies.Create(overrideOrigin: true)));
    }

    [Fact]
    public void Classify_OriginPrivate_IsPrivateEvenWhenThePolicyOverrides()
    {
        var answer = Answer(200, new ResponseHeader("Cache-Control", "private"));

        Assert.Equal(Storability.Private, StorabilityRules.Classify(answer, TestPolicies.Create(overrideOrigin: true)));
    }

    [Fact]
    public void Classify_SetCookie_IsPrivateEvenWhenThePolicyOverrides()
    {
        var answer = new UpstreamAnswer { StatusCode = 200, Headers = [], Body = [], SetCookies = ["session=1"] };

        Assert.Equal(Storability.Private, StorabilityRules.Classify(answer, TestPolicies.Create(overrideOrigin: true)));
    }

    [Fact]
    public void Classify_BodyTooLarge_IsTooLarge()
    {
        var answer = new UpstreamAnswer { StatusCode = 200, Headers = [], Body = null };

        Assert.Equal(Storability.TooLarge, StorabilityRules.Classify(answer, TestPolicies.Create()));
    }

    [Theory]
    [InlineData("public, max-age=3600", false, false)]
    [InlineData("no-store", false, true)]
    [InlineData("NO-CACHE", false, true)]
    [InlineData("private", false, true)]
    [InlineData(null, false, false)]
    [InlineData("no-cache, no-store", true, false)]
    [InlineData("private, no-store", true, true)]
    public void OriginForbidsSharing(string? cacheControl, bool overrideNoStore, bool expected)
    {
        Assert.Equal(expected, StorabilityRules.OriginForbidsSharing(cacheControl, overrideNoStore));
    }

    [Theory]
    [InlineData("application/json; charset=utf-8", true)]
    [InlineData("Application/JSON", true)]
    [InlineData("text/html; charset=UTF-8", false)] // Cloudflare's challenge page
    [InlineData("text/plain", false)]
    [InlineData("not a type", false)]
    [InlineData(null, true)] // nothing declared: not refused for it
    public void HasExpectedContentType_AgainstAJsonRoute(string? contentType, bool expected)
    {
        var answer = contentType is null ? WithBody(Answer(200)) : WithBody(Answer(200, new ResponseHeader("Content-Type", contentType)));

        Assert.Equal(expected, StorabilityRules.HasExpectedContentType(answer, ["application/json"]));
    }

    [Theory]
    [InlineData("image/jpeg", true)]
    [InlineData("image/webp", true)]
    [InlineData("imagery/x", false)]
    [InlineData("text/html", false)]
    public void HasExpectedContentType_AWildcard_TakesTheWholeType(string contentType, bool expected)
    {
        var answer = WithBody(Answer(200, new ResponseHeader("Content-Type", contentType)));

        Assert.Equal(expected, StorabilityRules.HasExpectedContentType(answer, ["image/*"]));
    }

    [Fact]
    public void HasExpectedContentType_NoContentOrNoExpectation_Passes()
    {
        var html = new ResponseHeader("Content-Type", "text/html");

        Assert.True(StorabilityRules.HasExpectedContentType(Answer(204, html), ["application/json"]));
        Assert.False(StorabilityRules.HasExpectedContentType(Answer(200, html), ["application/json"])); // too large: no body kept, the type still counts
        Assert.True(StorabilityRules.HasExpectedContentType(WithBody(Answer(200, html)), []));
    }

    [Fact]
    public void Classify_ANotFoundOfAnyTypeButHtml_IsStillNegative()
    {
        var policy = TestPolicies.Create(negativeTtl: TimeSpan.FromMinutes(5), expectedContentTypes: ["image/*"]);

        Assert.Equal(Storability.Negative, StorabilityRules.Classify(WithBody(Answer(404, new ResponseHeader("Content-Type", "text/plain"))), policy));
        Assert.Equal(Storability.Negative, StorabilityRules.Classify(WithBody(Answer(410)), policy));
        // The error page of whatever stands in front of the origin does not say the resource is gone.
        Assert.Equal(Storability.UpstreamFailure, StorabilityRules.Classify(WithBody(Answer(404, new ResponseHeader("Content-Type", "text/html; charset=utf-8"))), policy));
        Assert.Equal(Storability.UpstreamFailure, StorabilityRules.Classify(WithBody(Answer(403, new ResponseHeader("Content-Type", "text/html"))), policy));
    }

    [Fact]
    public void Classify_AChallengePageWhereJsonIsExpected_IsAnUpstreamFailure()
    {
        var policy = TestPolicies.Create(expectedContentTypes: ["application/json"]);
        var page = WithBody(Answer(200, new ResponseHeader("Content-Type", "text/html")));

        Assert.Equal(Storability.UpstreamFailure, StorabilityRules.Classify(page, policy));
    }

    private static UpstreamAnswer WithBody(UpstreamAnswer answer) =>
        new() { StatusCode = answer.StatusCode, Headers = answer.Headers, Body = "<html>Just a moment...</html>"u8.ToArray() };

    private static UpstreamAnswer Answer(int status, params ResponseHeader[] headers) =>
        new() { StatusCode = status, Headers = headers, Body = [] };
}

using EnrichProxy.Caching;
using EnrichProxy.Upstreams;

namespace EnrichProxy.Tests.Caching;

public sealed class CacheKeyBuilderTests
{
    private static readonly CachePolicy Policy = TestPolicies.Create();

    [Fact]
    public void Build_QueryInAnyOrder_GivesTheSameKey()
    {
        var first = CacheKeyBuilder.Build(TestPolicies.Fill("?language=en&append_to_response=credits"), Policy);
        var second = CacheKeyBuilder.Build(TestPolicies.Fill("?append_to_response=credits&language=en"), Policy);

        Assert.Equal(first, second);
        Assert.Equal("tmdb-movie|GET|/tmdb/3/movie/603?append_to_response=credits&language=en", first);
    }

    [Fact]
    public void Build_RepeatedParameters_KeepTheirOrder()
    {
        // An upstream may take the first of several values, or rank them: ?language=fr&language=en is another question.
        var frenchFirst = CacheKeyBuilder.Build(TestPolicies.Fill("?language=fr&page=2&language=en"), Policy);
        var englishFirst = CacheKeyBuilder.Build(TestPolicies.Fill("?language=en&page=2&language=fr"), Policy);
        var frenchFirstReordered = CacheKeyBuilder.Build(TestPolicies.Fill("?page=2&language=fr&language=en"), Policy);

        Assert.NotEqual(frenchFirst, englishFirst);
        Assert.Equal(frenchFirst, frenchFirstReordered);
        Assert.Equal("tmdb-movie|GET|/tmdb/3/movie/603?language=fr&language=en&page=2", frenchFirst);
    }

    [Theory]
    [InlineData("?append_to_response=EVIL&language=en", "?language=en")]
    [InlineData("?language=en&Append_To_Response=EVIL&page=2", "?language=en&page=2")]
    [InlineData("?append%5Fto%5Fresponse=EVIL", "")]
    [InlineData("?append_to_response", "")]
    [InlineData("?query=the+matrix&&append_to_response=x&year=1999", "?query=the+matrix&&year=1999")]
    public void WithoutIgnoredParameters_RemovesWhatTheKeyLeavesOutAndKeepsTheRestAsSpelled(string query, string expected)
    {
        var policy = TestPolicies.Create(ignore: ["append_to_response"]);

        Assert.Equal(expected, CacheKeyBuilder.WithoutIgnoredParameters(query, policy));
    }

    [Fact]
    public void WithoutIgnoredParameters_NothingToRemove_ReturnsTheSameString()
    {
        const string Query = "?language=en&page=2";

        Assert.Same(Query, CacheKeyBuilder.WithoutIgnoredParameters(Query, TestPolicies.Create(ignore: ["append_to_response"])));
        Assert.Same(Query, CacheKeyBuilder.WithoutIgnoredParameters(Query, Policy));
    }

    [Theory]
    [InlineData("?api_key=secret-one&language=en")]
    [InlineData("?language=en&apikey=secret-one")]
    [InlineData("?language=en&API_KEY=secret-one")]
    [InlineData("?language=en&session_id=secret-one")]
    [InlineData("?language=en&custom_key=secret-one")]
    [InlineData("?language=en&client_key=secret-one")]
    [InlineData("?request_token=secret-one&language=en")]
    public void Build_CredentialParameters_NeverReachTheKey(string query)
    {
        var key = CacheKeyBuilder.Build(TestPolicies.Fill(query), Policy, configuredKeyName: "custom_key");

        Assert.DoesNotContain("secret-one", key, StringComparison.Ordinal);
        Assert.Equal(CacheKeyBuilder.Build(TestPolicies.Fill("?language=en"), Policy), key);
    }

    [Fact]
    public void Build_IgnoredParameters_AreLeftOutCaseInsensitively()
    {
        var policy = TestPolicies.Create(ignore: ["_", "utm_source"]);

        var key = CacheKeyBuilder.Build(TestPolicies.Fill("?_=12345&UTM_SOURCE=x&language=en"), policy);

        Assert.Equal(CacheKeyBuilder.Build(TestPolicies.Fill("?language=en"), policy), key);
    }

    [Fact]
    public void Build_EquivalentEncodings_GiveTheSameKey()
    {
        var plus = CacheKeyBuilder.Build(TestPolicies.Fill("?query=the+matrix"), Policy);
        var percent = CacheKeyBuilder.Build(TestPolicies.Fill("?query=the%20matrix"), Policy);

        Assert.Equal(plus, percent);
    }

    [Fact]
    public void Build_VaryHeaders_AreInTheKey()
    {
        var policy = TestPolicies.Create(vary: ["Accept-Language"]);

        var english = CacheKeyBuilder.Build(TestPolicies.Fill(headers: ("accept-language", "en")), policy);
        var french = CacheKeyBuilder.Build(TestPolicies.Fill(headers: ("Accept-Language", "fr")), policy);
        var none = CacheKeyBuilder.Build(TestPolicies.Fill(), policy);

        Assert.NotEqual(english, french);
        Assert.NotEqual(english, none);
        Assert.EndsWith("|accept-language=en", english, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_HeadersThePolicyDoesNotVaryBy_DoNotChangeTheKey()
    {
        var key = CacheKeyBuilder.Build(TestPolicies.Fill(headers: ("Accept-Language", "fr")), Policy);

        Assert.Equal(CacheKeyBuilder.Build(TestPolicies.Fill(), Policy), key);
    }

    [Fact]
    public void Build_Partition_IsInTheKeyButTheCredentialIsNot()
    {
        var access = new UpstreamAccess(mayUseCache: true, injectProxyKey: false, partition: "abc123", credentialHeaders: [new("Authorization", "Bearer secret-token")]);

        var key = CacheKeyBuilder.Build(TestPolicies.Fill(access: access, headers: ("Authorization", "Bearer secret-token")), Policy);

        Assert.EndsWith("|p=abc123", key, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-token", key, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_AnEncodedQuestionMarkInThePath_CannotForgeAQuery()
    {
        // Kestrel decodes %3F in the path; the upstream sees it encoded, so it is another resource.
        var forged = CacheKeyBuilder.Build(TestPolicies.Fill(path: "/tmdb/3/movie/603?language=xx"), Policy);
        var real = CacheKeyBuilder.Build(TestPolicies.Fill("?language=xx"), Policy);

        Assert.NotEqual(real, forged);
        Assert.Equal("tmdb-movie|GET|/tmdb/3/movie/603%3Flanguage=xx", forged);
    }

    [Fact]
    public void Build_AHeaderValueWithSeparators_CannotForgeAPartition()
    {
        var policy = TestPolicies.Create(vary: ["Accept-Language"]);
        var partitioned = new UpstreamAccess(mayUseCache: true, injectProxyKey: false, partition: "abc", credentialHeaders: []);

        var forged = CacheKeyBuilder.Build(TestPolicies.Fill(headers: ("Accept-Language", "fr|p=abc")), policy);
        var real = CacheKeyBuilder.Build(TestPolicies.Fill(access: partitioned, headers: ("Accept-Language", "fr")), policy);

        Assert.NotEqual(real, forged);
    }

    [Fact]
    public void Build_DifferentPathsOrRoutes_GiveDifferentKeys()
    {
        var movie = CacheKeyBuilder.Build(TestPolicies.Fill(path: "/tmdb/3/movie/603"), Policy);
        var other = CacheKeyBuilder.Build(TestPolicies.Fill(path: "/tmdb/3/movie/604"), Policy);
        var otherRoute = CacheKeyBuilder.Build(TestPolicies.Fill() with { RouteId = "tmdb-tv" }, Policy);

        Assert.Equal(3, new[] { movie, other, otherRoute }.Distinct().Count());
    }
}

using EnrichProxy.Caching;
using EnrichProxy.Upstreams;

namespace EnrichProxy.Tests.Upstreams;

public sealed class ProxyKeyScopeTests
{
    [Theory]
    [InlineData("/tmdb/3/account/1", true)]
    [InlineData("/tmdb/3/Authentication/token/new", true)]
    [InlineData("/tvdb/v4/user/favorites", true)]
    [InlineData("/tmdb/4/auth/request_token", true)]
    [InlineData("/tmdb/3/movie/603/account_states", true)]
    [InlineData("/tmdb/3/guest_session/abc/rated/movies", true)]
    [InlineData("/tmdb/3/account%2F1", true)]
    [InlineData("/tmdb/3/movie/603", false)]
    [InlineData("/tmdb/3/person/287", false)]
    [InlineData("/tmdb/3/accounting", false)]
    [InlineData("/", false)]
    public void IsPersonal_FindsAccountLoginAndUserEndpointsBySegment(string path, bool expected) =>
        Assert.Equal(expected, ProxyKeyScope.IsPersonal(path));

    [Fact]
    public void CachePolicyMetadataKey_IsTheOneThePolicyRegistryReads() =>
        Assert.Equal(CachePolicyRegistry.MetadataKey, ProxyKeyScope.CachePolicyMetadataKey);
}

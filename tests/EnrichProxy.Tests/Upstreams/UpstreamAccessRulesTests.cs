using EnrichProxy.Configuration;
using EnrichProxy.Upstreams;

namespace EnrichProxy.Tests.Upstreams;

public sealed class UpstreamAccessRulesTests
{
    private static readonly UpstreamOptions TmdbWithKey = new() { Kind = UpstreamKind.Metadata, ApiKey = "proxy-tmdb-key", ApiKeyLocation = ApiKeyLocation.Query, ApiKeyName = "api_key" };
    private static readonly UpstreamOptions TmdbWithoutKey = new() { Kind = UpstreamKind.Metadata };
    private static readonly UpstreamOptions Radarr = new() { Kind = UpstreamKind.Arr, ApiKey = "radarr-real-key" };
    private static readonly byte[] PartitionKey = "partition-secret"u8.ToArray();

    [Fact]
    public void Decide_MetadataWithProxyKey_RemovesClientKeysAndSharesAnswers()
    {
        var request = Request("?api_key=client-key&language=en", ("Authorization", "Bearer client-token"), ("X-Api-Key", "client-key"));

        var access = UpstreamAccessRules.Decide(request, TmdbWithKey, inboundApiKey: null, PartitionKey);

        Assert.Same(UpstreamAccess.ProxyKey, access);
        Assert.Equal("?language=en", request.QueryString.Value);
        Assert.False(request.Headers.ContainsKey("Authorization"));
        Assert.False(request.Headers.ContainsKey("X-Api-Key"));
    }

    [Fact]
    public void Decide_MetadataWithProxyKeyAndASessionCookie_PartitionsByTheCookie()
    {
        var request = Request("?language=en", ("Cookie", "session=abc"));

        var access = UpstreamAccessRules.Decide(request, TmdbWithKey, inboundApiKey: null, PartitionKey);

        Assert.NotNull(access);
        Assert.True(access.InjectProxyKey);
        Assert.NotNull(access.Partition);
        Assert.Equal([new KeyValuePair<string, string>("Cookie", "session=abc")], access.CredentialHeaders);
    }

    [Fact]
    public void Decide_MetadataWithoutProxyKey_PartitionsByTheClientKeyAndKeepsIt()
    {
        var one = Request("?api_key=key-one");
        var again = Request("?api_key=key-one");
        var two = Request("?api_key=key-two");

        var accessOne = UpstreamAccessRules.Decide(one, TmdbWithoutKey, inboundApiKey: null, PartitionKey)!;
        var accessAgain = UpstreamAccessRules.Decide(again, TmdbWithoutKey, inboundApiKey: null, PartitionKey)!;
        var accessTwo = UpstreamAccessRules.Decide(two, TmdbWithoutKey, inboundApiKey: null, PartitionKey)!;

        Assert.False(accessOne.InjectProxyKey);
        Assert.Equal(accessOne.Partition, accessAgain.Partition);
        Assert.NotEqual(accessOne.Partition, accessTwo.Partition);
        Assert.DoesNotContain("key-one", accessOne.Partition!, StringComparison.Ordinal);
        // Another secret names the same credentials differently.
        Assert.NotEqual(accessOne.Partition, UpstreamAccessRules.Decide(Request("?api_key=key-one"), TmdbWithoutKey, null, "other"u8.ToArray())!.Partition);
        Assert.Equal("?api_key=key-one", one.QueryString.Value);
    }

    [Fact]
    public void Decide_NoCredentialsAtAll_IsAnonymousAndShared()
    {
        Assert.Same(UpstreamAccess.Anonymous, UpstreamAccessRules.Decide(Request("?a=1"), TmdbWithoutKey, inboundApiKey: null, PartitionKey));
    }

    [Theory]
    [InlineData("X-Api-Key", "radarr-real-key", null)]
    [InlineData(null, null, "?apikey=radarr-real-key")]
    [InlineData("X-Api-Key", "inbound-key-0123456789", null)]
    public void Decide_ArrWithTheRightKey_InjectsTheInstanceKey(string? header, string? value, string? query)
    {
        var request = header is null ? Request(query!) : Request(string.Empty, (header, value!));

        var access = UpstreamAccessRules.Decide(request, Radarr, inboundApiKey: "inbound-key-0123456789", PartitionKey);

        // The instance key goes upstream, and the answer is shared only with clients that present a key.
        Assert.Same(UpstreamAccess.ArrKeyVerified, access);
        Assert.True(access!.InjectProxyKey);
        Assert.False(access.AnswersEveryone);
        Assert.False(request.Headers.ContainsKey("X-Api-Key"));
        Assert.False(request.Query.ContainsKey("apikey"));
    }

    [Theory]
    [InlineData("X-Api-Key", "wrong-key")]
    [InlineData("X-Api-Key", "radarr-real-ke")]
    public void Decide_ArrWithAWrongKey_IsRefused(string header, string value)
    {
        Assert.Null(UpstreamAccessRules.Decide(Request(string.Empty, (header, value)), Radarr, inboundApiKey: null, PartitionKey));
    }

    [Fact]
    public void Decide_ArrWithoutAKey_PassesThroughWithoutTheCache()
    {
        var access = UpstreamAccessRules.Decide(Request(string.Empty, ("Cookie", "RadarrAuth=1")), Radarr, inboundApiKey: null, PartitionKey);

        Assert.Same(UpstreamAccess.PassThrough, access);
        Assert.False(access!.MayUseCache);
        Assert.False(access.InjectProxyKey);
    }

    [Fact]
    public void CarriesClientCredentials_OnlyWhenTheProxysKeyIsNotSent()
    {
        Assert.True(UpstreamAccess.PassThrough.CarriesClientCredentials);
        Assert.False(UpstreamAccess.ProxyKey.CarriesClientCredentials);
        Assert.False(UpstreamAccess.Anonymous.CarriesClientCredentials);
        Assert.True(new UpstreamAccess(mayUseCache: true, injectProxyKey: false, partition: "p1", credentialHeaders: []).CarriesClientCredentials);
        // A TMDb read with a session_id: partitioned, but sent on the proxy's key, whose quota it spends.
        Assert.False(new UpstreamAccess(mayUseCache: true, injectProxyKey: true, partition: "p1", credentialHeaders: []).CarriesClientCredentials);
    }

    [Theory]
    [InlineData("radarr-instance-key-0123", true)]
    [InlineData("radarr-instance-key-0124", false)]
    [InlineData("radarr-instance-key-01234", false)]
    [InlineData("radarr", false)]
    [InlineData("", false)]
    public void KeyEquals_ComparesWholeKeys_WhateverTheirLengths(string presented, bool expected) =>
        Assert.Equal(expected, UpstreamAccessRules.KeyEquals(presented, "radarr-instance-key-0123"));

    private static HttpRequest Request(string query, params (string Name, string Value)[] headers)
    {
        var context = new DefaultHttpContext();
        context.Request.QueryString = new QueryString(query);
        foreach (var (name, value) in headers)
        {
            context.Request.Headers[name] = value;
        }

        return context.Request;
    }
}

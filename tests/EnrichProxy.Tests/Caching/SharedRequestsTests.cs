using EnrichProxy.Caching;
using EnrichProxy.Configuration;
using EnrichProxy.Upstreams;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;

namespace EnrichProxy.Tests.Caching;

public sealed class SharedRequestsTests
{
    private static readonly SharedRequests Shared = new(Options.Create(new EnrichProxyOptions
    {
        Upstreams = new(StringComparer.OrdinalIgnoreCase)
        {
            ["custom"] = new UpstreamOptions { ApiKeyLocation = ApiKeyLocation.Header, ApiKeyName = "X-Custom-Key" },
            ["fanart"] = new UpstreamOptions { ApiKeyLocation = ApiKeyLocation.Query, ApiKeyName = "client_key" },
        },
    }));

    private static readonly RouteConfig Route = new() { RouteId = "tmdb-movie", ClusterId = "tmdb", Match = new RouteMatch { Path = "/tmdb/3/movie/{id}" } };

    [Theory]
    [InlineData("GET", null, true)]
    [InlineData("HEAD", null, true)]
    [InlineData("POST", null, false)]
    [InlineData("GET", "Authorization", false)]
    [InlineData("GET", "Cookie", false)]
    [InlineData("GET", "X-Api-Key", false)]
    [InlineData("GET", "x-custom-key", false)]
    [InlineData("GET", "Proxy-Authorization", false)]
    [InlineData("GET", "Range", true)] // Answered from the whole stored answer (RangeRequestTests).
    [InlineData("GET", "Upgrade", false)]
    [InlineData("GET", "Accept-Language", true)]
    public void Qualifies_OnlyCredentialFreeReads(string method, string? header, bool expected)
    {
        Assert.Equal(expected, Shared.Qualifies(Request(method, header)));
    }

    [Fact]
    public void MayRemember_SharedAnswersOfPlainRoutes()
    {
        Assert.True(Shared.MayRemember(Request("GET", null), "/tmdb/3/movie/603?language=en", Route, TestPolicies.Create(), UpstreamAccess.Anonymous));
        Assert.True(Shared.MayRemember(Request("GET", null), "/tmdb/3/movie/603", Route, TestPolicies.Create(), UpstreamAccess.ProxyKey));
    }

    [Theory]
    [InlineData("/tmdb/3/movie/603?api_key=x")]
    [InlineData("/tmdb/3/movie/603?language=en&APIKEY=x")]
    [InlineData("/tmdb/3/movie/603?session_id=x")]
    [InlineData("/fanart/v3/movies/603?client_key=x")]
    public void MayRemember_NeverATargetCarryingACredential(string rawTarget)
    {
        Assert.False(Shared.MayRemember(Request("GET", null), rawTarget, Route, TestPolicies.Create(), UpstreamAccess.ProxyKey));
    }

    [Fact]
    public void MayRemember_NeverArrAnswersPartitionsVaryingPoliciesOrRoutesWithPoliciesOfTheirOwn()
    {
        var request = Request("GET", null);
        var partitioned = new UpstreamAccess(mayUseCache: true, injectProxyKey: false, partition: "p", credentialHeaders: []);

        Assert.False(Shared.MayRemember(request, "/radarr/api/v3/movie", Route, TestPolicies.Create(), UpstreamAccess.ArrKeyVerified));
        Assert.False(Shared.MayRemember(request, "/tmdb/3/movie/603", Route, TestPolicies.Create(), partitioned));
        Assert.False(Shared.MayRemember(request, "/tmdb/3/movie/603", Route, TestPolicies.Create(vary: ["Accept"]), UpstreamAccess.Anonymous));
        Assert.False(Shared.MayRemember(request, "/tmdb/3/movie/603", Route with { AuthorizationPolicy = "admins" }, TestPolicies.Create(), UpstreamAccess.Anonymous));
        Assert.False(Shared.MayRemember(request, "/tmdb/3/movie/603", Route with { Match = new RouteMatch { Path = "/x", Hosts = ["a.example"] } }, TestPolicies.Create(), UpstreamAccess.Anonymous));
    }

    private static HttpRequest Request(string method, string? header)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        if (header is not null)
        {
            context.Request.Headers[header] = "value";
        }

        return context.Request;
    }
}

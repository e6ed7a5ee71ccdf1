using EnrichProxy.Caching;
using EnrichProxy.Caching.Storage;
using EnrichProxy.Configuration;
using EnrichProxy.Hosting;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;

namespace EnrichProxy.Tests.Hosting;

/// <summary>The shipped config/appsettings.json is valid and keeps the public contract of PRODUCT.md.</summary>
public sealed class ShippedConfigurationTests : IDisposable
{
    private readonly string _contentRoot = Directory.CreateTempSubdirectory("enrichproxy-config-").FullName;
    private readonly WebApplication _app;

    public ShippedConfigurationTests()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = _contentRoot, EnvironmentName = "Production" });
        builder.AddEnrichProxy();
        _app = builder.Build();
    }

    public static TheoryData<string, string> Clusters => new()
    {
        { "tmdb", "https://api.themoviedb.org/" },
        { "tvdb", "https://api4.thetvdb.com/" },
        { "musicbrainz", "https://musicbrainz.org/" },
        { "fanart", "https://webservice.fanart.tv/" },
        { "lidarr-metadata", "https://api.lidarr.audio/api/v0.4/" },
        { "readarr-metadata", "https://api.bookinfo.pro/" },
        { "radarr", "http://localhost:7878/" },
        { "sonarr", "http://localhost:8989/" },
        { "lidarr", "http://localhost:8686/" },
    };

    [Fact]
    public void ShippedConfig_PassesValidation()
    {
        var options = _app.Services.GetRequiredService<IOptions<EnrichProxyOptions>>().Value;

        Assert.NotEmpty(options.Policies);
        Assert.Equal("http://localhost:5080", _app.Configuration["Urls"]);
    }

    [Theory]
    [MemberData(nameof(Clusters))]
    public void ShippedConfig_HasEachClusterWithADefaultDestinationAndAPrefixRoute(string clusterId, string address)
    {
        var config = _app.Services.GetRequiredService<IProxyConfigProvider>().GetConfig();

        var cluster = Assert.Single(config.Clusters, c => c.ClusterId == clusterId);
        Assert.Equal(address, cluster.Destinations!["default"].Address);
        var routes = config.Routes.Where(r => r.ClusterId == clusterId).ToList();
        Assert.NotEmpty(routes);
        Assert.All(routes, route =>
        {
            Assert.StartsWith($"/{clusterId}/", route.Match.Path, StringComparison.Ordinal);
            Assert.Contains(route.Transforms!, t => t.TryGetValue("PathRemovePrefix", out var prefix) && prefix == "/" + clusterId);
        });
        // Whatever is not cached explicitly passes through (Arr queue and commands, account endpoints).
        Assert.Contains(routes, r => r.Match.Path == $"/{clusterId}/{{**rest}}" && r.Metadata is null);
    }

    [Theory]
    [InlineData("/tmdb/3/movie/{id:int}", "tmdb-movie")]
    [InlineData("/tmdb/3/tv/{id:int}", "tmdb-tv")]
    [InlineData("/tmdb/3/search/{**rest}", "search")]
    [InlineData("/tmdb/3/trending/{**rest}", "trending")]
    [InlineData("/musicbrainz/ws/2/artist/{**rest}", "music-artist")]
    [InlineData("/musicbrainz/ws/2/release-group/{**rest}", "music-album")]
    [InlineData("/fanart/v3/{**rest}", "images")]
    [InlineData("/radarr/api/v3/movie/{**rest}", "arr-library")]
    public void ShippedConfig_RoutesUseThePolicyOfTheirDataType(string path, string policy)
    {
        var config = _app.Services.GetRequiredService<IProxyConfigProvider>().GetConfig();

        var route = Assert.Single(config.Routes, r => r.Match.Path == path);
        Assert.Equal(policy, route.Metadata!["CachePolicy"]);
    }

    [Theory]
    [InlineData("tmdb-movie", 24 * 3600)]
    [InlineData("tmdb-tv", 24 * 3600)]
    [InlineData("images", 7 * 24 * 3600)]
    [InlineData("search", 15 * 60)]
    [InlineData("trending", 5 * 60)]
    [InlineData("music-artist", 7 * 24 * 3600)]
    [InlineData("music-album", 24 * 3600)]
    public void ShippedConfig_PoliciesHaveTheTtlOfTheirDataType(string policy, int ttlSeconds)
    {
        var options = _app.Services.GetRequiredService<IOptions<EnrichProxyOptions>>().Value;

        Assert.Equal(TimeSpan.FromSeconds(ttlSeconds), options.Policies[policy].Ttl);
    }

    [Fact]
    public void ShippedConfig_ArrPoliciesCacheLibraryReadsBrieflyAndOverrideOriginHeaders()
    {
        var options = _app.Services.GetRequiredService<IOptions<EnrichProxyOptions>>().Value;

        var arrPolicies = options.Policies.Where(p => p.Key.StartsWith("arr-", StringComparison.Ordinal)).Select(p => p.Value).ToList();
        Assert.NotEmpty(arrPolicies);
        Assert.All(arrPolicies, p =>
        {
            Assert.InRange(p.Ttl, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5));
            Assert.True(p.OverrideOriginCacheControl);
        });
    }

    [Fact]
    public void ShippedConfig_MusicBrainzHasARealUserAgent()
    {
        var options = _app.Services.GetRequiredService<IOptions<EnrichProxyOptions>>().Value;

        Assert.StartsWith("EnrichProxy/", options.Upstreams["musicbrainz"].UserAgent, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("musicbrainz", 1)]
    [InlineData("tmdb", 40)]
    [InlineData("tvdb", 5)]
    [InlineData("fanart", 1)]
    [InlineData("lidarr-metadata", 1)]
    [InlineData("readarr-metadata", 1)]
    [InlineData("radarr", 10)]
    [InlineData("sonarr", 10)]
    [InlineData("lidarr", 10)]
    public void ShippedConfig_EachUpstreamHasItsRateLimit(string clusterId, double permitsPerSecond)
    {
        var options = _app.Services.GetRequiredService<IOptions<EnrichProxyOptions>>().Value;

        var limit = options.Upstreams[clusterId].RateLimit;
        Assert.Equal(permitsPerSecond, limit.PermitsPerSecond);
        Assert.InRange(limit.EffectiveBurst, 1, (int)permitsPerSecond + 1);
    }

    [Theory]
    [InlineData("radarr")]
    [InlineData("sonarr")]
    [InlineData("lidarr")]
    public void ShippedConfig_ArrInstancesGiveSlowRequestsTime(string clusterId)
    {
        var options = _app.Services.GetRequiredService<IOptions<EnrichProxyOptions>>().Value;

        // An interactive search can take a minute; YARP's own activity timeout is 100 s.
        Assert.True(options.Upstreams[clusterId].Timeouts.Attempt >= TimeSpan.FromSeconds(100));
    }

    [Fact]
    public void ShippedConfig_CallsTheEmbeddedDiskL2OffTheSocketThreads_BehindItsCircuit()
    {
        var observed = Assert.IsType<ObservedDistributedCache>(_app.Services.GetRequiredService<IDistributedCache>());
        var guarded = Assert.IsType<GuardedDistributedCache>(observed.Inner);
        Assert.IsType<ThreadPoolDistributedCache>(guarded.Inner);
    }

    public void Dispose()
    {
        ((IDisposable)_app).Dispose();
        Directory.Delete(_contentRoot, recursive: true);
    }
}

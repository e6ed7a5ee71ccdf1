using EnrichProxy.Configuration;
using EnrichProxy.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EnrichProxy.Tests.Hosting;

/// <summary>
/// The start-up check as the app composes it: each feature validates what it owns (bounds as data annotations,
/// policies beside the registry, prefetch rules, upstreams, and routes and clusters in YARP's own hook), and every
/// error comes out in one list.
/// </summary>
public sealed class StartupValidationTests
{
    [Fact]
    public void Validate_TheShippedConfig_Succeeds()
    {
        var options = Options(("EnrichProxy:Upstreams:tmdb:ApiKey", "k"));

        Assert.NotNull(options);
    }

    [Fact]
    public void Validate_BrokenConfig_ReportsEveryErrorAtOnce()
    {
        var failure = Assert.Throws<OptionsValidationException>(() => Options(
            ("ReverseProxy:Routes:movie:ClusterId", "tmdb"),
            ("ReverseProxy:Routes:movie:Match:Path", "/movie/{**rest}"),
            ("ReverseProxy:Routes:movie:Metadata:CachePolicy", "no-such-policy"),
            ("ReverseProxy:Routes:orphan:ClusterId", "no-such-cluster"),
            ("ReverseProxy:Routes:orphan:Match:Path", "/orphan/{**rest}"),
            ("ReverseProxy:Routes:tagged:ClusterId", "tmdb"),
            ("ReverseProxy:Routes:tagged:Match:Path", "/tagged/{**rest}"),
            ("ReverseProxy:Routes:tagged:Metadata:CacheTags", "tmdb:movie:{id}, tmdb:{}"),
            ("ReverseProxy:Clusters:empty:LoadBalancingPolicy", "RoundRobin"),
            ("ReverseProxy:Clusters:ftp:Destinations:default:Address", "ftp://example.org/"),
            ("EnrichProxy:Policies:broken:Ttl", "00:00:00"),
            ("EnrichProxy:Policies:broken:StaleWhileRevalidate", "-00:00:01"),
            ("EnrichProxy:Policies:broken:StaleIfError", "-00:00:02"),
            ("EnrichProxy:Policies:broken:NegativeTtl", "-00:00:03"),
            ("EnrichProxy:Policies:broken:SoftTimeout", "00:00:40"),
            ("EnrichProxy:Policies:broken:HardTimeout", "00:00:30"),
            ("EnrichProxy:Policies:broken:MaxCacheableBytes", "0"),
            ("EnrichProxy:Policies:broken:VaryByHeaders:0", "Authorization"),
            ("EnrichProxy:Policies:broken:VaryByHeaders:1", "Accept-Encoding"),
            ("EnrichProxy:Policies:broken:VaryByHeaders:2", "X-Custom-Key"),
            ("EnrichProxy:Policies:broken:Tags:0", "tmdb:movie:{id"),
            ("EnrichProxy:Policies:broken:Prefetch:0", "/tmdb/3/collection/{belongs_to_collection.id}"),
            ("EnrichProxy:Policies:broken:Prefetch:1", "tmdb/3/collection/{id}"),
            ("EnrichProxy:Policies:broken:Prefetch:2", "/tmdb/3/tv/{seasons[0]}"),
            ("EnrichProxy:Upstreams:nowhere:Kind", "Metadata"),
            ("ReverseProxy:Clusters:lidarr-metadata:Destinations:mirror:Address", "https://api.musicinfo.pro/api/v0.4/"),
            ("EnrichProxy:Upstreams:lidarr-metadata:FailoverOrder:0", "mirror"),
            ("EnrichProxy:Upstreams:lidarr-metadata:FailoverOrder:1", "mirrror"),
            ("EnrichProxy:Upstreams:lidarr-metadata:FailoverOrder:2", "MIRROR"),
            ("EnrichProxy:Upstreams:tmdb:ApiKeyLocation", "Header"),
            ("EnrichProxy:Upstreams:tmdb:ApiKeyName", "X-Custom-Key"),
            ("EnrichProxy:Cache:MemorySizeLimitBytes", "0"),
            ("EnrichProxy:Cache:DiskMaxBytes", "4096"),
            ("EnrichProxy:Webhooks:Password", "short"),
            ("EnrichProxy:Cache:DiskPath", " "),
            ("EnrichProxy:Cache:L2SampleInterval", "00:00:00"),
            ("EnrichProxy:Redis:Configuration", "password=secret-only"),
            ("EnrichProxy:InboundApiKey", "short"),
            ("EnrichProxy:Admin:ApiKey", "short-admin"),
            ("EnrichProxy:Queue:Workers", "0"),
            ("EnrichProxy:Queue:Capacity", "0"),
            ("EnrichProxy:Queue:DrainTimeout", "-00:00:01"),
            ("EnrichProxy:Queue:MaxPrefetchDepth", "6"),
            ("EnrichProxy:Queue:MaxPrefetchFanOut", "0"),
            ("EnrichProxy:Warmup:Enabled", "true"),
            ("EnrichProxy:Warmup:Interval", "00:00:30")));

        var errors = failure.Failures.ToList();
        string[] expected =
        [
            "EnrichProxy:Policies:broken:Tags: Tag template 'tmdb:movie:{id' has an unclosed or empty placeholder",
            "ReverseProxy:Routes:tagged:Metadata:CacheTags: Tag template 'tmdb:{}' has an unclosed or empty placeholder",
            "EnrichProxy:Cache:L2SampleInterval must be greater than 0",
            "EnrichProxy:Admin:ApiKey must be at least 16 characters long",
            "EnrichProxy:Policies:broken:Ttl must be greater than 0",
            "EnrichProxy:Policies:broken:StaleWhileRevalidate cannot be negative",
            "EnrichProxy:Policies:broken:StaleIfError cannot be negative",
            "EnrichProxy:Policies:broken:NegativeTtl cannot be negative",
            "EnrichProxy:Policies:broken:SoftTimeout must be greater than 0 and less than HardTimeout",
            "EnrichProxy:Policies:broken:MaxCacheableBytes must be greater than 0",
            "EnrichProxy:Policies:broken:VaryByHeaders cannot name the credential header 'Authorization'",
            "EnrichProxy:Policies:broken:VaryByHeaders cannot name Accept-Encoding",
            "EnrichProxy:Policies:broken:VaryByHeaders cannot name the credential header 'X-Custom-Key'",
            "ReverseProxy:Routes:movie:Metadata:CachePolicy names the unknown policy 'no-such-policy'",
            "ReverseProxy:Routes:orphan:ClusterId names the unknown cluster 'no-such-cluster'",
            "ReverseProxy:Clusters:empty has no destination",
            "ReverseProxy:Clusters:ftp:Destinations:default:Address must be an absolute http or https URL",
            "EnrichProxy:Upstreams:nowhere names the unknown cluster 'nowhere'",
            "EnrichProxy:Upstreams:lidarr-metadata:FailoverOrder names 'mirrror', which is not a destination of cluster 'lidarr-metadata' (default, mirror)",
            "EnrichProxy:Upstreams:lidarr-metadata:FailoverOrder names 'MIRROR' twice",
            "EnrichProxy:Upstreams:lidarr-metadata:FailoverOrder leaves out default",
            "EnrichProxy:Cache:MemorySizeLimitBytes must be greater than 0",
            "EnrichProxy:Cache:DiskMaxBytes must be at least 1 MiB (1048576)",
            "EnrichProxy:Webhooks:Password must be at least 12 characters long",
            "EnrichProxy:Redis:Configuration is not a valid StackExchange.Redis configuration string",
            "EnrichProxy:InboundApiKey must be at least 16 characters long",
            "EnrichProxy:Policies:broken:Prefetch: Prefetch rule 'tmdb/3/collection/{id}' must be a path",
            "EnrichProxy:Policies:broken:Prefetch: Prefetch rule '/tmdb/3/tv/{seasons[0]}' has the malformed placeholder",
            "EnrichProxy:Queue:Workers must be between 1 and 256",
            "EnrichProxy:Queue:Capacity must be between 1 and 1000000",
            "EnrichProxy:Queue:DrainTimeout must be between 0 and 10 minutes",
            "EnrichProxy:Queue:MaxPrefetchDepth must be between 0 and 5",
            "EnrichProxy:Queue:MaxPrefetchFanOut must be between 1 and 1000",
            "EnrichProxy:Warmup:Interval must be at least 1 minute",
        ];
        foreach (var message in expected)
        {
            Assert.True(errors.Exists(e => e.StartsWith(message, StringComparison.Ordinal)), $"Not reported: {message}\nReported:\n{string.Join('\n', errors)}");
        }

        Assert.Equal(expected.Length, errors.Count);
        Assert.DoesNotContain(errors, e => e.Contains("secret-only", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_WithoutRedis_RequiresADiskPath()
    {
        var failure = Assert.Throws<OptionsValidationException>(() => Options(("EnrichProxy:Cache:DiskPath", "")));

        Assert.Equal("EnrichProxy:Cache:DiskPath must be set when EnrichProxy:Redis:Configuration is not.", Assert.Single(failure.Failures));
    }

    [Fact]
    public void Validate_ResilienceSettingsOutOfBounds_AreEachReported()
    {
        var failure = Assert.Throws<OptionsValidationException>(() => Options(
            ("EnrichProxy:Upstreams:tmdb:RateLimit:PermitsPerSecond", "-1"),
            ("EnrichProxy:Upstreams:tmdb:RateLimit:Burst", "0"),
            ("EnrichProxy:Upstreams:tmdb:RateLimit:MaxWait", "00:00:00"),
            ("EnrichProxy:Upstreams:tmdb:RateLimit:QueueLimit", "-1"),
            ("EnrichProxy:Upstreams:tmdb:Retry:MaxRetries", "11"),
            ("EnrichProxy:Upstreams:tmdb:Retry:BaseDelay", "-00:00:01"),
            ("EnrichProxy:Upstreams:tmdb:CircuitBreaker:FailuresBeforeOpening", "1"),
            ("EnrichProxy:Upstreams:tmdb:CircuitBreaker:BreakDuration", "2.00:00:00"),
            ("EnrichProxy:Upstreams:tmdb:Timeouts:Attempt", "00:02:00"),
            ("EnrichProxy:Upstreams:tmdb:Timeouts:Total", "00:01:00")));

        var errors = failure.Failures.ToList();
        string[] keys =
        [
            "RateLimit:PermitsPerSecond", "RateLimit:Burst", "RateLimit:MaxWait", "RateLimit:QueueLimit", "Retry:MaxRetries", "Retry:BaseDelay",
            "CircuitBreaker:FailuresBeforeOpening", "CircuitBreaker:BreakDuration", "Timeouts:Attempt (",
        ];
        Assert.Equal(keys.Length, errors.Count);
        Assert.All(keys, key => Assert.Contains(errors, e => e.StartsWith("EnrichProxy:Upstreams:tmdb:" + key, StringComparison.Ordinal)));
    }

    // The options as the app validates them at start-up: the shipped configuration with these settings over it.
    private static EnrichProxyOptions Options(params (string Key, string Value)[] settings)
    {
        var contentRoot = Directory.CreateTempSubdirectory("enrichproxy-validation-").FullName;
        try
        {
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions
            {
                Args = [.. settings.Select(s => $"--{s.Key}={s.Value}")],
                ContentRootPath = contentRoot,
                EnvironmentName = "Testing",
            });
            builder.AddEnrichProxy();
            using var app = builder.Build();
            StartupCheck.Run(app.Services);
            return app.Services.GetRequiredService<IOptions<EnrichProxyOptions>>().Value;
        }
        finally
        {
            Directory.Delete(contentRoot, recursive: true);
        }
    }
}

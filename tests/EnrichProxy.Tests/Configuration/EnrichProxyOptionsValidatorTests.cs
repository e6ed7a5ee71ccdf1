using EnrichProxy.Configuration;
using Yarp.ReverseProxy.Configuration;

namespace EnrichProxy.Tests.Configuration;

public sealed class EnrichProxyOptionsValidatorTests
{
    [Fact]
    public void Validate_ValidConfig_Succeeds()
    {
        var validator = new EnrichProxyOptionsValidator(Proxy([Route("tmdb-movie", "tmdb", "tmdb-movie")], [Cluster("tmdb", "https://api.themoviedb.org/")]));
        var options = new EnrichProxyOptions
        {
            Policies = new(StringComparer.OrdinalIgnoreCase) { ["tmdb-movie"] = new CachePolicyOptions { Ttl = TimeSpan.FromHours(24) } },
            Upstreams = new(StringComparer.OrdinalIgnoreCase) { ["tmdb"] = new UpstreamOptions { ApiKey = "k" } },
        };

        var result = validator.Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_BrokenConfig_ReportsEveryErrorAtOnce()
    {
        var validator = new EnrichProxyOptionsValidator(Proxy(
            [Route("movie", "tmdb", "no-such-policy"), Route("orphan", "no-such-cluster", null),
                Route("tagged", "tmdb", null) with { Metadata = new Dictionary<string, string> { ["CacheTags"] = "tmdb:movie:{id}, tmdb:{}" } }],
            [Cluster("tmdb", "https://api.themoviedb.org/"), new ClusterConfig { ClusterId = "empty" }, Cluster("ftp", "ftp://example.org/")]));
        var options = new EnrichProxyOptions
        {
            Policies = new(StringComparer.OrdinalIgnoreCase)
            {
                ["broken"] = new CachePolicyOptions
                {
                    Ttl = TimeSpan.Zero,
                    StaleWhileRevalidate = TimeSpan.FromSeconds(-1),
                    StaleIfError = TimeSpan.FromSeconds(-2),
                    NegativeTtl = TimeSpan.FromSeconds(-3),
                    SoftTimeout = TimeSpan.FromSeconds(40),
                    HardTimeout = TimeSpan.FromSeconds(30),
                    MaxCacheableBytes = 0,
                    VaryByHeaders = ["Authorization", "Accept-Encoding", "X-Custom-Key"],
                    Tags = ["tmdb:movie:{id"],
                    Prefetch = ["/tmdb/3/collection/{belongs_to_collection.id}", "tmdb/3/collection/{id}", "/tmdb/3/tv/{seasons[0]}"],
                },
            },
            Upstreams = new(StringComparer.OrdinalIgnoreCase)
            {
                ["nowhere"] = new UpstreamOptions(),
                ["tmdb"] = new UpstreamOptions { ApiKeyLocation = ApiKeyLocation.Header, ApiKeyName = "X-Custom-Key" },
            },
            Cache = new CacheStorageOptions { MemorySizeLimitBytes = 0, DiskPath = " ", L2SampleInterval = TimeSpan.Zero },
            Redis = new RedisOptions { Configuration = "password=secret-only" },
            InboundApiKey = "short",
            Admin = new AdminOptions { ApiKey = "short-admin" },
            Queue = new QueueOptions { Workers = 0, Capacity = 0, DrainTimeout = TimeSpan.FromSeconds(-1), MaxPrefetchDepth = 6, MaxPrefetchFanOut = 0 },
            Warmup = new WarmupOptions { Enabled = true, Interval = TimeSpan.FromSeconds(30) },
        };

        var result = validator.Validate(null, options);

        Assert.True(result.Failed);
        var errors = result.Failures!.ToList();
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
            "EnrichProxy:Cache:MemorySizeLimitBytes must be greater than 0",
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
            Assert.Contains(errors, e => e.StartsWith(message, StringComparison.Ordinal));
        }

        Assert.Equal(expected.Length, errors.Count);
        Assert.DoesNotContain(errors, e => e.Contains("secret-only", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_WithoutRedis_RequiresADiskPath()
    {
        var validator = new EnrichProxyOptionsValidator(Proxy([], []));

        var result = validator.Validate(null, new EnrichProxyOptions { Cache = new CacheStorageOptions { DiskPath = "" } });

        Assert.Equal("EnrichProxy:Cache:DiskPath must be set when EnrichProxy:Redis:Configuration is not.", Assert.Single(result.Failures!));
    }

    [Fact]
    public void Validate_ResilienceSettingsOutOfBounds_AreEachReported()
    {
        var validator = new EnrichProxyOptionsValidator(Proxy([], [Cluster("tmdb", "https://api.themoviedb.org/")]));
        var options = new EnrichProxyOptions
        {
            Upstreams = new(StringComparer.OrdinalIgnoreCase)
            {
                ["tmdb"] = new UpstreamOptions
                {
                    RateLimit = new RateLimitOptions { PermitsPerSecond = -1, Burst = 0, MaxWait = TimeSpan.Zero, QueueLimit = -1 },
                    Retry = new RetryOptions { MaxRetries = 11, BaseDelay = TimeSpan.FromSeconds(-1) },
                    CircuitBreaker = new CircuitBreakerOptions { FailuresBeforeOpening = 1, BreakDuration = TimeSpan.FromDays(2) },
                    Timeouts = new UpstreamTimeoutOptions { Attempt = TimeSpan.FromMinutes(2), Total = TimeSpan.FromMinutes(1) },
                },
            },
        };

        var errors = validator.Validate(null, options).Failures!.ToList();

        string[] keys =
        [
            "RateLimit:PermitsPerSecond", "RateLimit:Burst", "RateLimit:MaxWait", "RateLimit:QueueLimit", "Retry:MaxRetries", "Retry:BaseDelay",
            "CircuitBreaker:FailuresBeforeOpening", "CircuitBreaker:BreakDuration", "Timeouts:Attempt (",
        ];
        Assert.Equal(keys.Length, errors.Count);
        Assert.All(keys, key => Assert.Contains(errors, e => e.StartsWith("EnrichProxy:Upstreams:tmdb:" + key, StringComparison.Ordinal)));
    }

    private static InMemoryConfigProvider Proxy(IReadOnlyList<RouteConfig> routes, IReadOnlyList<ClusterConfig> clusters) => new(routes, clusters);

    private static RouteConfig Route(string id, string cluster, string? policy) => new()
    {
        RouteId = id,
        ClusterId = cluster,
        Match = new RouteMatch { Path = "/" + id + "/{**rest}" },
        Metadata = policy is null ? null : new Dictionary<string, string> { ["CachePolicy"] = policy },
    };

    private static ClusterConfig Cluster(string id, string address) => new()
    {
        ClusterId = id,
        Destinations = new Dictionary<string, DestinationConfig> { ["default"] = new() { Address = address } },
    };
}

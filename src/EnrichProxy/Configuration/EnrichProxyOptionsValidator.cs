using EnrichProxy.Caching;
using EnrichProxy.Caching.Purging;
using EnrichProxy.Prefetching;
using EnrichProxy.Upstreams;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;

namespace EnrichProxy.Configuration;

/// <summary>
/// Validates EnrichProxy's section together with the routes and clusters it refers to, and reports
/// every error at once so that a broken config fails at start-up with the whole list.
/// </summary>
internal sealed class EnrichProxyOptionsValidator(IProxyConfigProvider proxyConfig) : IValidateOptions<EnrichProxyOptions>
{
    private const int MinimumInboundKeyLength = 16;

    public ValidateOptionsResult Validate(string? name, EnrichProxyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = proxyConfig.GetConfig();
        var errors = new List<string>();

        // Every header that carries a credential somewhere: none may become part of a cache key.
        var credentialHeaders = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "Proxy-Authorization" };
        credentialHeaders.UnionWith(options.Upstreams.Values
            .Where(u => u.EffectiveKeyLocation == ApiKeyLocation.Header)
            .Select(u => u.EffectiveKeyName));
        foreach (var (policyName, policy) in options.Policies)
        {
            ValidatePolicy(policyName, policy, credentialHeaders, errors);
        }

        var clusterIds = new HashSet<string>(config.Clusters.Select(c => c.ClusterId), StringComparer.OrdinalIgnoreCase);
        foreach (var route in config.Routes)
        {
            ValidateRoute(route, options, clusterIds, errors);
        }

        foreach (var cluster in config.Clusters)
        {
            ValidateCluster(cluster, errors);
        }

        foreach (var (clusterId, upstream) in options.Upstreams)
        {
            ValidateUpstream(clusterId, upstream, clusterIds, errors);
        }

        if (options.Cache.MemorySizeLimitBytes <= 0)
        {
            errors.Add($"EnrichProxy:Cache:MemorySizeLimitBytes must be greater than 0 (got {options.Cache.MemorySizeLimitBytes}).");
        }

        if (options.Redis.IsEnabled && !IsRedisConfiguration(options.Redis.Configuration!))
        {
            // Not echoed: a Redis configuration string may hold a password.
            errors.Add("EnrichProxy:Redis:Configuration is not a valid StackExchange.Redis configuration string.");
        }

        if (!options.Redis.IsEnabled && string.IsNullOrWhiteSpace(options.Cache.DiskPath))
        {
            errors.Add("EnrichProxy:Cache:DiskPath must be set when EnrichProxy:Redis:Configuration is not.");
        }

        if (!options.Redis.IsEnabled && string.IsNullOrWhiteSpace(options.Overrides.DiskPath))
        {
            errors.Add("EnrichProxy:Overrides:DiskPath must be set when EnrichProxy:Redis:Configuration is not.");
        }

        if (options.Enrichment.Ttl <= TimeSpan.Zero || options.Enrichment.StaleIfError < TimeSpan.Zero || options.Enrichment.ExternalSoftTimeout <= TimeSpan.Zero)
        {
            errors.Add("EnrichProxy:Enrichment: Ttl and ExternalSoftTimeout must be greater than 0, and StaleIfError not negative.");
        }

        ValidateQueue(options.Queue, options.Warmup, errors);

        if (options.Cache.L2SampleInterval <= TimeSpan.Zero)
        {
            errors.Add($"EnrichProxy:Cache:L2SampleInterval must be greater than 0 (got {options.Cache.L2SampleInterval}).");
        }

        if (options.Admin.ApiKey is { Length: > 0 and < MinimumInboundKeyLength })
        {
            errors.Add($"EnrichProxy:Admin:ApiKey must be at least {MinimumInboundKeyLength} characters long.");
        }

        if (options.InboundApiKey is { Length: > 0 and < MinimumInboundKeyLength })
        {
            errors.Add($"EnrichProxy:InboundApiKey must be at least {MinimumInboundKeyLength} characters long.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateQueue(QueueOptions queue, WarmupOptions warmup, List<string> errors)
    {
        if (queue.Workers is < 1 or > 256)
        {
            errors.Add($"EnrichProxy:Queue:Workers must be between 1 and 256 (got {queue.Workers}).");
        }

        if (queue.Capacity is < 1 or > 1_000_000)
        {
            errors.Add($"EnrichProxy:Queue:Capacity must be between 1 and 1000000 (got {queue.Capacity}).");
        }

        if (queue.DrainTimeout < TimeSpan.Zero || queue.DrainTimeout > TimeSpan.FromMinutes(10))
        {
            errors.Add($"EnrichProxy:Queue:DrainTimeout must be between 0 and 10 minutes (got {queue.DrainTimeout}).");
        }

        if (queue.MaxPrefetchDepth is < 0 or > 5)
        {
            errors.Add($"EnrichProxy:Queue:MaxPrefetchDepth must be between 0 and 5 (got {queue.MaxPrefetchDepth}).");
        }

        if (queue.MaxPrefetchFanOut is < 1 or > 1000)
        {
            errors.Add($"EnrichProxy:Queue:MaxPrefetchFanOut must be between 1 and 1000 (got {queue.MaxPrefetchFanOut}).");
        }

        if (warmup.Interval < TimeSpan.FromMinutes(1))
        {
            errors.Add($"EnrichProxy:Warmup:Interval must be at least 1 minute (got {warmup.Interval}).");
        }
    }

    private static void ValidatePolicy(string name, CachePolicyOptions policy, HashSet<string> credentialHeaders, List<string> errors)
    {
        var prefix = $"EnrichProxy:Policies:{name}";
        if (policy.Ttl <= TimeSpan.Zero)
        {
            errors.Add($"{prefix}:Ttl must be greater than 0 (got {policy.Ttl}).");
        }

        ValidateTags(policy.Tags, $"{prefix}:Tags", errors);
        foreach (var rule in policy.Prefetch)
        {
            try
            {
                PrefetchTemplate.Parse(rule);
            }
            catch (FormatException exception)
            {
                errors.Add($"{prefix}:Prefetch: {exception.Message}");
            }
        }

        NotNegative(policy.StaleWhileRevalidate, $"{prefix}:StaleWhileRevalidate", errors);
        NotNegative(policy.StaleIfError, $"{prefix}:StaleIfError", errors);
        NotNegative(policy.NegativeTtl, $"{prefix}:NegativeTtl", errors);
        if (policy.HardTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{prefix}:HardTimeout must be greater than 0 (got {policy.HardTimeout}).");
        }

        if (policy.SoftTimeout is { } soft && (soft <= TimeSpan.Zero || soft >= policy.HardTimeout))
        {
            errors.Add($"{prefix}:SoftTimeout must be greater than 0 and less than HardTimeout (got {soft}, HardTimeout {policy.HardTimeout}).");
        }

        if (policy.MaxCacheableBytes <= 0)
        {
            errors.Add($"{prefix}:MaxCacheableBytes must be greater than 0 (got {policy.MaxCacheableBytes}).");
        }

        foreach (var header in policy.VaryByHeaders)
        {
            if (string.IsNullOrWhiteSpace(header))
            {
                errors.Add($"{prefix}:VaryByHeaders has an empty header name.");
            }
            else if (ClientCredentials.IsCredentialHeader(header, configuredKeyName: null) || credentialHeaders.Contains(header))
            {
                // A credential in the key would put the secret into the cache store.
                errors.Add($"{prefix}:VaryByHeaders cannot name the credential header '{header}'; credentials are partitioned by hash instead.");
            }
            else if (string.Equals(header, "Accept-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                errors.Add($"{prefix}:VaryByHeaders cannot name Accept-Encoding; fills always store the plain body.");
            }
        }
    }

    private static void ValidateRoute(RouteConfig route, EnrichProxyOptions options, HashSet<string> clusterIds, List<string> errors)
    {
        if (route.ClusterId is null || !clusterIds.Contains(route.ClusterId))
        {
            errors.Add($"ReverseProxy:Routes:{route.RouteId}:ClusterId names the unknown cluster '{route.ClusterId}'.");
        }

        if (route.Metadata?.TryGetValue(CachePolicyRegistry.MetadataKey, out var policy) == true && !options.Policies.ContainsKey(policy))
        {
            errors.Add($"ReverseProxy:Routes:{route.RouteId}:Metadata:CachePolicy names the unknown policy '{policy}'.");
        }

        ValidateTags(CachePolicyRegistry.RouteTags(route), $"ReverseProxy:Routes:{route.RouteId}:Metadata:{CachePolicyRegistry.TagsMetadataKey}", errors);
    }

    private static void ValidateTags(IEnumerable<string> templates, string setting, List<string> errors)
    {
        foreach (var template in templates)
        {
            try
            {
                TagTemplate.Parse(template);
            }
            catch (Exception exception) when (exception is FormatException or ArgumentException)
            {
                errors.Add($"{setting}: {exception.Message}");
            }
        }
    }

    private static void ValidateCluster(ClusterConfig cluster, List<string> errors)
    {
        if (cluster.Destinations is null || cluster.Destinations.Count == 0)
        {
            errors.Add($"ReverseProxy:Clusters:{cluster.ClusterId} has no destination.");
            return;
        }

        foreach (var (destinationId, destination) in cluster.Destinations)
        {
            if (!Uri.TryCreate(destination.Address, UriKind.Absolute, out var address) || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps))
            {
                errors.Add($"ReverseProxy:Clusters:{cluster.ClusterId}:Destinations:{destinationId}:Address must be an absolute http or https URL (got '{destination.Address}').");
            }
        }
    }

    private static void ValidateUpstream(string clusterId, UpstreamOptions upstream, HashSet<string> clusterIds, List<string> errors)
    {
        var prefix = $"EnrichProxy:Upstreams:{clusterId}";
        if (!clusterIds.Contains(clusterId))
        {
            errors.Add($"{prefix} names the unknown cluster '{clusterId}'.");
        }

        if (upstream.ApiKeyName is { } keyName && string.IsNullOrWhiteSpace(keyName))
        {
            errors.Add($"{prefix}:ApiKeyName cannot be blank.");
        }

        if (upstream.ApiKey is { Length: > 0 } key && key.Trim().Length != key.Length)
        {
            errors.Add($"{prefix}:ApiKey has leading or trailing spaces.");
        }

        if (upstream.EffectiveKeyLocation == ApiKeyLocation.Login
            && (string.IsNullOrWhiteSpace(upstream.LoginPath) || !Uri.TryCreate(upstream.LoginPath, UriKind.Relative, out _)))
        {
            errors.Add($"{prefix}:LoginPath must be a path relative to the destination (such as v4/login) when ApiKeyLocation is Login.");
        }

        ResilienceOptionsValidation.Validate(prefix, upstream, errors);
    }

    private static bool IsRedisConfiguration(string configuration)
    {
        try
        {
            return StackExchange.Redis.ConfigurationOptions.Parse(configuration).EndPoints.Count > 0;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static void NotNegative(TimeSpan value, string key, List<string> errors)
    {
        if (value < TimeSpan.Zero)
        {
            errors.Add($"{key} cannot be negative (got {value}).");
        }
    }
}

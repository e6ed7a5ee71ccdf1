using EnrichProxy.Caching.Purging;
using EnrichProxy.Configuration;
using EnrichProxy.Upstreams;

namespace EnrichProxy.Caching;

/// <summary>What makes a cache policy valid, checked as its <see cref="CachePolicy"/> is built, every error reported.</summary>
internal static class CachePolicyRules
{
    public static CachePolicyRegistry.Built Build(EnrichProxyOptions options)
    {
        // Every header that carries a credential somewhere: none may become part of a cache key.
        var credentialHeaders = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "Proxy-Authorization" };
        credentialHeaders.UnionWith(options.Upstreams.Values
            .Where(u => u.EffectiveKeyLocation == ApiKeyLocation.Header)
            .Select(u => u.EffectiveKeyName));

        var policies = new Dictionary<string, CachePolicy>(StringComparer.OrdinalIgnoreCase);
        var errors = new List<string>();
        foreach (var (name, policy) in options.Policies)
        {
            var before = errors.Count;
            var tags = new List<TagTemplate>();
            ParseTags(policy.Tags, $"EnrichProxy:Policies:{name}:Tags", tags, errors);
            Check(name, policy, credentialHeaders, errors);
            if (errors.Count == before)
            {
                policies[name] = new CachePolicy(name, policy, tags, options.Redis.OperationTimeout, sharedSecondLevel: options.Redis.IsEnabled);
            }
        }

        return new CachePolicyRegistry.Built(policies, errors);
    }

    public static void ParseTags(IEnumerable<string> templates, string setting, List<TagTemplate> parsed, List<string> errors)
    {
        foreach (var template in templates)
        {
            try
            {
                parsed.Add(TagTemplate.Parse(template));
            }
            catch (Exception exception) when (exception is FormatException or ArgumentException)
            {
                errors.Add($"{setting}: {exception.Message}");
            }
        }
    }

    private static void Check(string name, CachePolicyOptions policy, HashSet<string> credentialHeaders, List<string> errors)
    {
        var prefix = $"EnrichProxy:Policies:{name}";
        if (policy.Ttl <= TimeSpan.Zero)
        {
            errors.Add($"{prefix}:Ttl must be greater than 0 (got {policy.Ttl}).");
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

        if (policy.Freshness == CacheFreshness.Origin && policy.OverrideOriginCacheControl)
        {
            errors.Add($"{prefix}:OverrideOriginCacheControl contradicts Freshness Origin, which follows the origin's Cache-Control.");
        }

        foreach (var header in policy.ForwardedRequestHeaders)
        {
            if (header != "*" && (string.IsNullOrWhiteSpace(header) || !UpstreamRequest.IsForwardedByFills(header.Trim())))
            {
                errors.Add($"{prefix}:ForwardedRequestHeaders cannot name '{header}': a credential, a hop-by-hop field or one the cache answers itself.");
            }
        }

        if (!Enum.IsDefined(policy.Freshness))
        {
            errors.Add($"{prefix}:Freshness must be Policy or Origin (got {policy.Freshness}).");
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

    private static void NotNegative(TimeSpan value, string key, List<string> errors)
    {
        if (value < TimeSpan.Zero)
        {
            errors.Add($"{key} cannot be negative (got {value}).");
        }
    }
}

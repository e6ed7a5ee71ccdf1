using EnrichProxy.Configuration;
using EnrichProxy.Upstreams.Resilience;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;

namespace EnrichProxy.Upstreams;

/// <summary>Checks every <c>EnrichProxy:Upstreams</c> entry: that its cluster exists, its key settings and its resilience bounds.</summary>
internal sealed class UpstreamOptionsValidator(IProxyConfigProvider proxyConfig) : IValidateOptions<EnrichProxyOptions>
{
    public ValidateOptionsResult Validate(string? name, EnrichProxyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clusters = proxyConfig.GetConfig().Clusters.ToDictionary(c => c.ClusterId, StringComparer.OrdinalIgnoreCase);
        var errors = new List<string>();
        foreach (var (clusterId, upstream) in options.Upstreams)
        {
            var prefix = $"EnrichProxy:Upstreams:{clusterId}";
            if (!clusters.TryGetValue(clusterId, out var cluster))
            {
                errors.Add($"{prefix} names the unknown cluster '{clusterId}'.");
            }
            else if (upstream.FailoverOrder.Length > 0)
            {
                ValidateFailoverOrder(prefix, upstream.FailoverOrder, cluster, errors);
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

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    // Each of the cluster's destinations once: a destination left out would never be used, which is
    // more likely a typo than a wish.
    private static void ValidateFailoverOrder(string prefix, string[] order, ClusterConfig cluster, List<string> errors)
    {
        var destinations = cluster.Destinations?.Keys.ToHashSet(StringComparer.OrdinalIgnoreCase) ?? [];
        var listed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in order)
        {
            if (!destinations.Contains(name ?? string.Empty))
            {
                errors.Add($"{prefix}:FailoverOrder names '{name}', which is not a destination of cluster '{cluster.ClusterId}' ({string.Join(", ", destinations.Order(StringComparer.Ordinal))}).");
            }
            else if (!listed.Add(name!))
            {
                errors.Add($"{prefix}:FailoverOrder names '{name}' twice.");
            }
        }

        var missing = destinations.Where(d => !listed.Contains(d)).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0 && listed.Count > 0)
        {
            errors.Add($"{prefix}:FailoverOrder leaves out {string.Join(", ", missing)}: list every destination of cluster '{cluster.ClusterId}' in the order they are tried.");
        }
    }
}

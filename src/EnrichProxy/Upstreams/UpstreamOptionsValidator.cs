using EnrichProxy.Configuration;
using EnrichProxy.Upstreams.Resilience;
using Microsoft.Extensions.Options;

namespace EnrichProxy.Upstreams;

/// <summary>
/// Checks every <c>EnrichProxy:Upstreams</c> entry: that its cluster exists, its key settings and its resilience bounds.
/// Clusters are read from the configuration being checked, the same one the options come from, not from YARP's state:
/// when a change is applied, YARP may take it a moment later than the options do.
/// </summary>
internal sealed class UpstreamOptionsValidator(CheckedConfiguration configuration) : IValidateOptions<EnrichProxyOptions>
{
    public ValidateOptionsResult Validate(string? name, EnrichProxyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clusters = configuration.Value.GetSection("ReverseProxy:Clusters").GetChildren().ToDictionary(
            cluster => cluster.Key,
            cluster => cluster.GetSection("Destinations").GetChildren().Select(destination => destination.Key).ToList(),
            StringComparer.OrdinalIgnoreCase);
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
                ValidateFailoverOrder(prefix, upstream.FailoverOrder, clusterId, cluster, errors);
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
    private static void ValidateFailoverOrder(string prefix, string[] order, string clusterId, List<string> clusterDestinations, List<string> errors)
    {
        var destinations = clusterDestinations.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var listed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in order)
        {
            if (!destinations.Contains(name ?? string.Empty))
            {
                errors.Add($"{prefix}:FailoverOrder names '{name}', which is not a destination of cluster '{clusterId}' ({string.Join(", ", destinations.Order(StringComparer.Ordinal))}).");
            }
            else if (!listed.Add(name!))
            {
                errors.Add($"{prefix}:FailoverOrder names '{name}' twice.");
            }
        }

        var missing = destinations.Where(d => !listed.Contains(d)).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0 && listed.Count > 0)
        {
            errors.Add($"{prefix}:FailoverOrder leaves out {string.Join(", ", missing)}: list every destination of cluster '{clusterId}' in the order they are tried.");
        }
    }
}

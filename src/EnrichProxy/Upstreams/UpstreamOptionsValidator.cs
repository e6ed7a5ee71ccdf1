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
        var clusterIds = new HashSet<string>(proxyConfig.GetConfig().Clusters.Select(c => c.ClusterId), StringComparer.OrdinalIgnoreCase);
        var errors = new List<string>();
        foreach (var (clusterId, upstream) in options.Upstreams)
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

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

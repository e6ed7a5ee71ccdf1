using EnrichProxy.Configuration;
using Microsoft.Extensions.Options;

namespace EnrichProxy.Caching;

/// <summary>Checks the cache's settings: every policy (<see cref="CachePolicyRules"/>) and where the second level lives.</summary>
internal sealed class CacheOptionsValidator : IValidateOptions<EnrichProxyOptions>
{
    public ValidateOptionsResult Validate(string? name, EnrichProxyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>(CachePolicyRegistry.Build(options).Errors);
        if (options.Redis.IsEnabled && !IsRedisConfiguration(options.Redis.Configuration!))
        {
            // Not echoed: a Redis configuration string may hold a password.
            errors.Add("EnrichProxy:Redis:Configuration is not a valid StackExchange.Redis configuration string.");
        }

        if (!options.Redis.IsEnabled && string.IsNullOrWhiteSpace(options.Cache.DiskPath))
        {
            errors.Add("EnrichProxy:Cache:DiskPath must be set when EnrichProxy:Redis:Configuration is not.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
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
}

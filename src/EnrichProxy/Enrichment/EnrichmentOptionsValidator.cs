using EnrichProxy.Configuration;
using Microsoft.Extensions.Options;

namespace EnrichProxy.Enrichment;

/// <summary>Checks where the operator's overrides live.</summary>
internal sealed class EnrichmentOptionsValidator : IValidateOptions<EnrichProxyOptions>
{
    public ValidateOptionsResult Validate(string? name, EnrichProxyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return !options.Redis.IsEnabled && string.IsNullOrWhiteSpace(options.Overrides.DiskPath)
            ? ValidateOptionsResult.Fail("EnrichProxy:Overrides:DiskPath must be set when EnrichProxy:Redis:Configuration is not.")
            : ValidateOptionsResult.Success;
    }
}

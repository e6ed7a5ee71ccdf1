using EnrichProxy.Configuration;
using Microsoft.Extensions.Options;

namespace EnrichProxy.Prefetching;

/// <summary>Reports every prefetch rule that does not parse, with the rest of the configuration's errors at start-up.</summary>
internal sealed class PrefetchRulesValidator : IValidateOptions<EnrichProxyOptions>
{
    public ValidateOptionsResult Validate(string? name, EnrichProxyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = PrefetchRules.Of(options).Errors;
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

using EnrichProxy.Configuration;
using Microsoft.Extensions.Options;

namespace EnrichProxy.Admin;

/// <summary>The admin keys together: the read-only key must not be the admin key, or it would open every action.</summary>
internal sealed class AdminOptionsValidator : IValidateOptions<EnrichProxyOptions>
{
    public ValidateOptionsResult Validate(string? name, EnrichProxyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var admin = options.Admin;
        return admin.IsEnabled && admin.IsReadOnlyKeySet && string.Equals(admin.ApiKey, admin.ReadOnlyApiKey, StringComparison.Ordinal)
            ? ValidateOptionsResult.Fail("EnrichProxy:Admin:ReadOnlyApiKey must differ from EnrichProxy:Admin:ApiKey: the read-only key is given to dashboards.")
            : ValidateOptionsResult.Success;
    }
}

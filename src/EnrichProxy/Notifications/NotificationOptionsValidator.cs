using EnrichProxy.Configuration;
using Microsoft.Extensions.Options;

namespace EnrichProxy.Notifications;

/// <summary>Each notification target: an absolute http(s) URL and a known format. The URL is never echoed: it may be a secret.</summary>
internal sealed class NotificationOptionsValidator : IValidateOptions<EnrichProxyOptions>
{
    public ValidateOptionsResult Validate(string? name, EnrichProxyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        foreach (var (target, settings) in options.Notifications.Targets)
        {
            var path = $"EnrichProxy:Notifications:Targets:{target}";
            if (!Uri.TryCreate(settings.Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                errors.Add($"{path}:Url must be an absolute http or https URL.");
            }

            if (!NotificationFormats.All.Contains(settings.Format, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add($"{path}:Format must be one of {string.Join(", ", NotificationFormats.All)}.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

using EnrichProxy.Configuration;
using Microsoft.Extensions.Options;

namespace EnrichProxy.Interception;

/// <summary>Checks the forward proxy's, the TLS front door's and the CA's settings, so that a broken one stops the start with its key named.</summary>
internal sealed class InterceptionOptionsValidator : IValidateOptions<EnrichProxyOptions>
{
    public ValidateOptionsResult Validate(string? name, EnrichProxyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var proxy = options.ForwardProxy;
        CheckUrl(failures, "EnrichProxy:ForwardProxy:Url", proxy.Url, "http");
        CheckUrl(failures, "EnrichProxy:TlsFrontDoor:Url", options.TlsFrontDoor.Url, "https");
        if (string.IsNullOrEmpty(proxy.Username) != string.IsNullOrEmpty(proxy.Password))
        {
            failures.Add("EnrichProxy:ForwardProxy:Username and Password are set together, or neither.");
        }

        if (proxy.Username?.Contains(':', StringComparison.Ordinal) == true)
        {
            failures.Add("EnrichProxy:ForwardProxy:Username must not contain ':' (Basic credentials are user:password).");
        }

        if (InterceptionSetup.IsEnabled(options) && InterceptedHosts.Normalize(proxy.InterceptHosts).Count == 0)
        {
            failures.Add("EnrichProxy:ForwardProxy:InterceptHosts must name at least one host when the forward proxy or the TLS front door is on (the CA is constrained to them).");
        }

        failures.AddRange(proxy.InterceptHosts
            .Where(host => Uri.CheckHostName(InterceptedHosts.Normalize(host)) != UriHostNameType.Dns)
            .Select(host => $"EnrichProxy:ForwardProxy:InterceptHosts: '{host}' is not a DNS host name."));
        failures.AddRange(proxy.AllowedPorts
            .Where(port => port is < 1 or > 65535)
            .Select(port => $"EnrichProxy:ForwardProxy:AllowedPorts: {port} is not a port."));

        var ca = options.CertificateAuthority;
        if (string.IsNullOrEmpty(ca.CertificatePath) != string.IsNullOrEmpty(ca.KeyPath))
        {
            failures.Add("EnrichProxy:CertificateAuthority:CertificatePath and KeyPath are set together, or neither.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckUrl(List<string> failures, string key, string url, string scheme)
    {
        try
        {
            var address = BindingAddress.Parse(url);
            if (!string.Equals(address.Scheme, scheme, StringComparison.OrdinalIgnoreCase) || address.IsUnixPipe)
            {
                failures.Add($"{key} must be a {scheme}:// address with a host and port.");
            }
        }
        catch (FormatException)
        {
            failures.Add($"{key} must be a {scheme}:// address with a host and port.");
        }
    }
}

using System.Net.Security;
using System.Net.Sockets;

namespace EnrichProxy.Hosting;

/// <summary>
/// <c>dotnet EnrichProxy.dll healthcheck</c>: exit 0 when <c>/health/live</c> answers 200 at the address the
/// proxy is configured to listen on, else 1. For a container's <c>HEALTHCHECK</c> (the .NET runtime image has
/// no curl or wget). It reads the same settings the proxy starts with (<c>--urls</c>, <c>ASPNETCORE_URLS</c>,
/// <c>ASPNETCORE_HTTP_PORTS</c>, <c>Kestrel:Endpoints</c>, config/appsettings*.json), so one configuration
/// both starts and checks it.
/// </summary>
internal static class HealthcheckCommand
{
    public const string Name = "healthcheck";

    // Docker's default timeout is 30 s; a live process answers in milliseconds, so a few seconds say it is stuck.
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(5);

    public static bool IsRequested(string[] args) =>
        args.Length > 0 && string.Equals(args[0], Name, StringComparison.OrdinalIgnoreCase);

    /// <summary>Checks the proxy configured by <paramref name="args"/> (after the sub-command) and the environment.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        var builder = WebApplication.CreateBuilder(args.Skip(1).ToArray());
        builder.Configuration.AddEnrichProxyConfigFiles(builder.Environment);
        var target = LivenessUrl(builder.Configuration);
        if (target is null)
        {
            await output.WriteLineAsync("unhealthy: no http(s) address is configured to check");
            return 1;
        }

        using var handler = new SocketsHttpHandler
        {
            // The proxy's own listener reached on loopback: whether its certificate (often from the proxy's own CA) is
            // trusted here is not the question. Any other host's certificate is checked as usual.
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, errors) => errors == SslPolicyErrors.None || target.IsLoopback },
            UseProxy = false,
        };
        using var client = new HttpClient(handler) { Timeout = AnswerTimeout };
        try
        {
            using var response = await client.GetAsync(target);
            var healthy = response.IsSuccessStatusCode;
            await output.WriteLineAsync($"{(healthy ? "healthy" : "unhealthy")}: {target} answered {(int)response.StatusCode}");
            return healthy ? 0 : 1;
        }
        catch (Exception failure) when (failure is HttpRequestException or TaskCanceledException or SocketException)
        {
            await output.WriteLineAsync($"unhealthy: {target}: {(failure is TaskCanceledException ? $"no answer within {AnswerTimeout.TotalSeconds:0} s" : failure.Message)}");
            return 1;
        }
    }

    /// <summary>
    /// <c>/health/live</c> at the first configured address (the ones Kestrel would bind), a wildcard, any-address or
    /// named host made loopback.
    /// </summary>
    internal static Uri? LivenessUrl(IConfiguration configuration)
    {
        var addresses = configuration.GetSection("Kestrel:Endpoints").GetChildren()
            .Select(endpoint => endpoint["Url"]).OfType<string>().ToList();
        if (addresses.Count == 0)
        {
            addresses = [.. Listeners.MainUrls(configuration)];
        }

        foreach (var address in addresses)
        {
            var spelled = address.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
            if (!Uri.TryCreate(spelled, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                continue;
            }

            // Kestrel binds a name other than localhost (https://proxy.lan:5443) to every address, as it does 0.0.0.0:
            // the process is asked on loopback, where it listens whatever the name resolves to.
            var host = uri.Host switch
            {
                "[::]" => "[::1]",
                "localhost" => "localhost",
                _ when uri.HostNameType is UriHostNameType.IPv4 && uri.Host != "0.0.0.0" => uri.Host,
                _ when uri.HostNameType is UriHostNameType.IPv6 => uri.Host,
                _ => "127.0.0.1",
            };
            // Port 0 is "any free port": nothing to check from outside the process.
            if (uri.Port == 0)
            {
                continue;
            }

            return new UriBuilder(uri.Scheme, host, uri.Port, "/health/live").Uri;
        }

        return null;
    }
}

using System.Net;
using EnrichProxy.Configuration;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace EnrichProxy.Hosting;

/// <summary>
/// Says at start when the proxy listens beyond this machine, and which of the settings an operator must set before
/// that are missing (README "Security model"). By default it listens on localhost only.
/// </summary>
internal static partial class ExposureCheck
{
    public static void Register(WebApplication app, EnrichProxyOptions options)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(options);
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            var exposed = addresses.Where(IsBeyondThisMachine).ToList();
            if (exposed.Count == 0)
            {
                return;
            }

            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ExposureCheck));
            var listening = string.Join(", ", exposed);
            var missing = Missing(options);
            if (missing.Count > 0)
            {
                LogExposedWithout(logger, listening, string.Join("; ", missing));
            }
            else
            {
                LogExposed(logger, listening);
            }
        });
    }

    /// <summary>The settings an exposed proxy should have and this one lacks, in words.</summary>
    public static IReadOnlyList<string> Missing(EnrichProxyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var missing = new List<string>();
        if (!options.Webhooks.RequiresCredentials)
        {
            missing.Add("EnrichProxy:Webhooks:AllowAnonymous is on, so anyone can purge: set Webhooks:Username and Password instead");
        }

        if (options.ForwardProxy is { Enabled: true, RequiresCredentials: false })
        {
            missing.Add("the forward proxy has no credentials: set ForwardProxy:Username and Password");
        }

        return missing;
    }

    /// <summary>Whether an address Kestrel listens on is reachable from other machines (any address, or one not loopback).</summary>
    public static bool IsBeyondThisMachine(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!Uri.TryCreate(address.Replace("://*", "://any", StringComparison.Ordinal).Replace("://+", "://any", StringComparison.Ordinal), UriKind.Absolute, out var uri))
        {
            return true;
        }

        return !string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase)
            && !(IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
    }

    [LoggerMessage(EventId = 9001, EventName = "ListeningBeyondThisMachine", Level = LogLevel.Information,
        Message = "Listening beyond this machine on {Addresses}: the metadata routes, the enrichment API, /metrics and /health answer anyone who reaches it, in plain HTTP (README \"Security model\")")]
    private static partial void LogExposed(ILogger logger, string addresses);

    [LoggerMessage(EventId = 9002, EventName = "ExposedWithoutProtection", Level = LogLevel.Warning,
        Message = "Listening beyond this machine on {Addresses}, but {Missing} (README \"Security model\")")]
    private static partial void LogExposedWithout(ILogger logger, string addresses, string missing);
}

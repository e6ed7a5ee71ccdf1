using EnrichProxy.Configuration;
using EnrichProxy.Interception;
using Microsoft.Extensions.Options;

namespace EnrichProxy.Hosting;

/// <summary>
/// The addresses Kestrel listens on. As ASP.NET Core does by default (<c>--urls</c> and the like, see
/// <see cref="DefaultAddress"/>) unless the forward proxy or the TLS front door is on: then every listener is
/// bound in code (<see cref="InterceptionListeners"/>), the main addresses first, from the same settings.
/// </summary>
internal static class Listeners
{
    public static void Apply(WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Kestrel reads this while the app is built, before the start-up check: a broken configuration binds
            // nothing here and is reported there, with every other error in one list.
            EnrichProxyOptions options;
            try
            {
                options = kestrel.ApplicationServices.GetRequiredService<IOptions<EnrichProxyOptions>>().Value;
            }
            catch (OptionsValidationException)
            {
                return;
            }

            if (InterceptionSetup.IsEnabled(options))
            {
                kestrel.ApplicationServices.GetRequiredService<InterceptionListeners>().Bind(kestrel, MainUrls(configuration), options);
            }
        });
    }

    /// <summary>The main addresses, as Kestrel reads them: <c>urls</c>, else <c>http_ports</c>/<c>https_ports</c>; none when <c>Kestrel:Endpoints</c> binds them.</summary>
    internal static IReadOnlyList<string> MainUrls(IConfiguration configuration)
    {
        if (configuration.GetSection("Kestrel:Endpoints").Exists())
        {
            return [];
        }

        var split = StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries;
        if (configuration["urls"] is { Length: > 0 } urls)
        {
            return urls.Split(';', split);
        }

        var ports = (configuration["http_ports"] ?? string.Empty).Split(';', split).Select(port => $"http://*:{port}")
            .Concat((configuration["https_ports"] ?? string.Empty).Split(';', split).Select(port => $"https://*:{port}"))
            .ToList();
        return ports.Count > 0 ? ports : [DefaultAddress.Url];
    }
}

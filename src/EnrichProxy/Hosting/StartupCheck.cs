using EnrichProxy.Configuration;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;

namespace EnrichProxy.Hosting;

/// <summary>
/// The configuration check before the proxy starts: EnrichProxy's settings (each feature validates what it
/// owns) and YARP's routes and clusters (YARP's own checks and the features' <c>ITransformProvider</c> hooks),
/// so that a broken configuration stops the process with every error in one list.
/// </summary>
internal static class StartupCheck
{
    /// <exception cref="OptionsValidationException">The configuration has errors; all of them are listed.</exception>
    public static void Run(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var errors = new List<string>(SecretFiles.Errors(services.GetRequiredService<IConfiguration>()));
        try
        {
            errors.AddRange(Unread(services.GetRequiredService<CheckedConfiguration>().Value, services.GetRequiredService<IOptions<EnrichProxyOptions>>().Value));
        }
        catch (OptionsValidationException invalid)
        {
            errors.AddRange(invalid.Failures);
        }

        var config = services.GetRequiredService<IProxyConfigProvider>().GetConfig();
        var validator = services.GetRequiredService<IConfigValidator>();
        foreach (var route in config.Routes)
        {
            // YARP's validators and ours complete synchronously.
            errors.AddRange(validator.ValidateRouteAsync(route).AsTask().GetAwaiter().GetResult().Select(e => e.Message));
        }

        foreach (var cluster in config.Clusters)
        {
            errors.AddRange(validator.ValidateClusterAsync(cluster).AsTask().GetAwaiter().GetResult().Select(e => e.Message));
        }

        if (errors.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(EnrichProxyOptions), errors);
        }
    }

    // The binder drops an entry of a named group whose value it cannot convert ("ten minutes" for a duration) instead of
    // failing: the policy, upstream or target would silently not exist.
    private static IEnumerable<string> Unread(IConfiguration configuration, EnrichProxyOptions options)
    {
        var section = configuration.GetSection(EnrichProxyOptions.SectionName);
        var groups = new (string Name, IEnumerable<string> Bound)[]
        {
            ("Policies", options.Policies.Keys),
            ("Upstreams", options.Upstreams.Keys),
            ("Notifications:Targets", options.Notifications.Targets.Keys),
        };
        foreach (var (name, bound) in groups)
        {
            var read = bound.ToHashSet(StringComparer.OrdinalIgnoreCase);
            foreach (var entry in section.GetSection(name).GetChildren().Where(entry => !read.Contains(entry.Key)))
            {
                yield return $"{EnrichProxyOptions.SectionName}:{name}:{entry.Key} could not be read: a value is not of its type (durations are written d.hh:mm:ss, numbers in digits, switches true or false).";
            }
        }
    }
}

using EnrichProxy.Admin;
using EnrichProxy.Caching;
using EnrichProxy.Configuration;
using EnrichProxy.Enrichment;
using EnrichProxy.Interception;
using EnrichProxy.Notifications;
using EnrichProxy.Prefetching;
using EnrichProxy.Upstreams;
using Microsoft.Extensions.Options;

namespace EnrichProxy.Hosting;

/// <summary>
/// The settings as the app binds and checks them: EnrichProxy's options with each feature's validator, and YARP's
/// routes and clusters with the features' validation hooks. Registered once in the app, over the accepted
/// configuration, and again in a throwaway container over a changed one (<see cref="Check"/>), so a change is
/// checked by exactly the rules the start is.
/// </summary>
internal static class ConfigurationChecks
{
    public static IReverseProxyBuilder AddConfigurationChecks(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<EnrichProxyOptions>().Bind(configuration.GetSection(EnrichProxyOptions.SectionName)).ValidateOnStart();
        services.AddSingleton(new CheckedConfiguration(configuration));
        services.AddSingleton<IValidateOptions<EnrichProxyOptions>, EnrichProxyOptionsBounds>();
        services.AddSingleton<IValidateOptions<EnrichProxyOptions>, UpstreamOptionsValidator>();
        services.AddSingleton<IValidateOptions<EnrichProxyOptions>, AdminOptionsValidator>();
        services.AddSingleton<IValidateOptions<EnrichProxyOptions>, CacheOptionsValidator>();
        services.AddSingleton<IValidateOptions<EnrichProxyOptions>, EnrichmentOptionsValidator>();
        services.AddSingleton<IValidateOptions<EnrichProxyOptions>, PrefetchRulesValidator>();
        services.AddSingleton<IValidateOptions<EnrichProxyOptions>, InterceptionOptionsValidator>();
        services.AddSingleton<IValidateOptions<EnrichProxyOptions>, NotificationOptionsValidator>();
        services.AddSingleton<UpstreamRegistry>();
        services.AddSingleton<UpstreamTokens>();
        return services.AddReverseProxy()
            .LoadFromConfig(configuration.GetSection("ReverseProxy"))
            .AddTransforms<UpstreamCredentialsTransformProvider>()
            .AddTransforms<CachedRouteValidation>();
    }

    /// <summary>Every error of <paramref name="candidate"/>, as the start-up check would list them; none when it may run.</summary>
    public static IReadOnlyList<string> Check(IConfiguration candidate)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(candidate);
        services.AddSingleton(TimeProvider.System);
        services.AddConfigurationChecks(candidate);
        using var provider = services.BuildServiceProvider();
        try
        {
            StartupCheck.Run(provider);
            return [];
        }
        catch (OptionsValidationException invalid)
        {
            return [.. invalid.Failures];
        }
#pragma warning disable CA1031 // Whatever the binder or YARP's reader throws, the change is refused and said so.
        catch (Exception unreadable) when (unreadable is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            return [Unreadable(unreadable)];
        }
    }

    // The setting's name and type from the binder's message; never the message itself, which may hold the value.
    private static string Unreadable(Exception exception) =>
        System.Text.RegularExpressions.Regex.Match(exception.Message, " at '(?<path>[^']+)' to type '(?<type>[^']+)'") is { Success: true } match
            ? $"{match.Groups["path"].Value} could not be read as {match.Groups["type"].Value}."
            : $"A setting could not be read ({exception.GetType().Name}): look for a value of the wrong type, such as a duration not written d.hh:mm:ss.";
}

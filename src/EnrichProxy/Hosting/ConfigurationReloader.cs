using EnrichProxy.Caching;

namespace EnrichProxy.Hosting;

/// <summary>
/// Starts watching the configuration once the app runs (<see cref="LiveConfiguration.Watch"/>). After a change is
/// applied, the fast path forgets what it remembered: its targets hold the policy they were learnt under.
/// </summary>
internal sealed class ConfigurationReloader(LiveConfiguration configuration, HotTargets hotTargets, TimeProvider time, ILogger<LiveConfiguration> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        configuration.Applied += hotTargets.ForgetAll;
        configuration.Watch(logger, time);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        configuration.Dispose();
        return Task.CompletedTask;
    }
}

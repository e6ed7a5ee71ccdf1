using EnrichProxy.Configuration;
using Microsoft.Extensions.Options;

namespace EnrichProxy.Notifications;

/// <summary>
/// Every <see cref="NotificationOptions.CheckInterval"/>, reads what is watched (<see cref="WatchedConditions"/>) and
/// sends what changed through the <see cref="NotificationGate"/>. Looking at state rather than hooking each event keeps
/// the features it watches unaware of it, and debounces by construction: a flap shorter than the interval is not news.
/// </summary>
internal sealed partial class NotificationWatcher(
    WatchedConditions conditions, NotificationSender sender, IOptions<EnrichProxyOptions> options, TimeProvider time, ILogger<NotificationWatcher> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value.Notifications;
        if (!settings.IsEnabled)
        {
            return;
        }

        var gate = new NotificationGate(settings.QuietPeriod);
        using var timer = new PeriodicTimer(settings.CheckInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var now = time.GetUtcNow();
                    foreach (var condition in gate.Observe(await conditions.ReadAsync(stoppingToken), now))
                    {
                        await sender.SendAsync(new Notification(condition, now), stoppingToken);
                    }
                }
#pragma warning disable CA1031 // A failed look must not end the watching; the next tick looks again.
                catch (Exception exception) when (exception is not OperationCanceledException)
#pragma warning restore CA1031
                {
                    LogCheckFailed(logger, exception.GetType().Name);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    [LoggerMessage(EventId = 10004, EventName = "NotificationCheckFailed", Level = LogLevel.Warning,
        Message = "Could not look at what notifications watch: {Error}")]
    private static partial void LogCheckFailed(ILogger logger, string error);
}

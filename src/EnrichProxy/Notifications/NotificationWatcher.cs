using EnrichProxy.Configuration;
using Microsoft.Extensions.Options;

namespace EnrichProxy.Notifications;

/// <summary>
/// Every <see cref="NotificationOptions.CheckInterval"/>, reads what is watched (<see cref="WatchedConditions"/>) and
/// sends what changed through the <see cref="NotificationGate"/>. Looking at state rather than hooking each event keeps
/// the features it watches unaware of it, and debounces by construction: a flap shorter than the interval is not news.
/// A message a target did not take is kept for it (the latest per subject: a newer state replaces an older one) and
/// offered again six checks later (a minute at most), so the last message about anything still reaches a target that
/// was down, without a line in the log at every check.
/// </summary>
internal sealed partial class NotificationWatcher(
    WatchedConditions conditions, NotificationSender sender, IOptions<EnrichProxyOptions> options, TimeProvider time, ILogger<NotificationWatcher> logger)
    : BackgroundService
{
    private static readonly TimeSpan LongestRetryDelay = TimeSpan.FromMinutes(1);

    // Per target and subject, the latest message not yet delivered; per target, when it may be tried again.
    private readonly Dictionary<(string Target, string Subject), Notification> _undelivered = [];
    private readonly Dictionary<string, DateTimeOffset> _retryAt = new(StringComparer.OrdinalIgnoreCase);

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
                        foreach (var target in sender.Targets.Keys)
                        {
                            _undelivered[(target, condition.Subject)] = new Notification(condition, now);
                        }
                    }

                    await DeliverAsync(now, stoppingToken);
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

    private async Task DeliverAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        foreach (var ((target, subject), notification) in _undelivered.OrderBy(pending => pending.Value.At).ToList())
        {
            if (_retryAt.TryGetValue(target, out var retryAt) && now < retryAt)
            {
                continue;
            }

            if (await sender.SendAsync(target, notification, cancellationToken))
            {
                _undelivered.Remove((target, subject));
                _retryAt.Remove(target);
            }
            else
            {
                var delay = options.Value.Notifications.CheckInterval * 6;
                _retryAt[target] = now + (delay < LongestRetryDelay ? delay : LongestRetryDelay);
            }
        }
    }

    [LoggerMessage(EventId = 10004, EventName = "NotificationCheckFailed", Level = LogLevel.Warning,
        Message = "Could not look at what notifications watch: {Error}")]
    private static partial void LogCheckFailed(ILogger logger, string error);
}

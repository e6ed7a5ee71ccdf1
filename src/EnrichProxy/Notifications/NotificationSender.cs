using System.Net.Http.Headers;
using EnrichProxy.Configuration;
using Microsoft.Extensions.Options;

namespace EnrichProxy.Notifications;

/// <summary>
/// Posts a notification to one target within <see cref="Timeout"/>. A target that fails is logged by its name and what
/// went wrong, never by its URL (often a secret); the watcher tries it again later.
/// </summary>
internal sealed partial class NotificationSender(IHttpClientFactory clients, IOptions<EnrichProxyOptions> options, ILogger<NotificationSender> logger)
{
    public const string ClientName = "EnrichProxy.Notifications";

    /// <summary>The longest one target may take: a receiver that hangs delays the next check by this much at most.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    // The machine's name (a container's host name): with several instances, which one speaks.
    private static readonly string Instance = Environment.MachineName;

    /// <summary>The configured targets, by name.</summary>
    public IReadOnlyDictionary<string, NotificationTargetOptions> Targets => options.Value.Notifications.Targets;

    /// <summary>Posts <paramref name="notification"/> to the target <paramref name="name"/>.</summary>
    /// <returns>Whether the target took it (a 2xx answer).</returns>
    public async Task<bool> SendAsync(string name, Notification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        if (!Targets.TryGetValue(name, out var target))
        {
            return true; // Gone from the configuration: nothing to deliver.
        }

        var client = clients.CreateClient(ClientName);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            using var request = NotificationFormats.Request(target.Format, new Uri(target.Url!), notification, Instance);
            if (!string.IsNullOrEmpty(target.Token))
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", target.Token);
            }

            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (response.IsSuccessStatusCode)
            {
                LogSent(logger, notification.Condition.Event, notification.Condition.Subject, name);
                return true;
            }

            LogRefused(logger, name, (int)response.StatusCode, notification.Condition.Event);
            return false;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // Whatever failed (no answer, a refused connection, a header the target's format cannot carry), it is tried again later.
        catch (Exception failure)
#pragma warning restore CA1031
        {
            var error = failure switch
            {
                OperationCanceledException => $"no answer within {Timeout.TotalSeconds:0} s",
                HttpRequestException http => http.HttpRequestError.ToString(),
                _ => failure.GetType().Name,
            };
            LogFailed(logger, name, error, notification.Condition.Event);
            return false;
        }
    }

    [LoggerMessage(EventId = 10001, EventName = "NotificationSent", Level = LogLevel.Information,
        Message = "Notification {Event} about {Subject} sent to {Target}")]
    private static partial void LogSent(ILogger logger, string @event, string subject, string target);

    [LoggerMessage(EventId = 10002, EventName = "NotificationRefused", Level = LogLevel.Warning,
        Message = "Notification target {Target} answered {StatusCode} to {Event}")]
    private static partial void LogRefused(ILogger logger, string target, int statusCode, string @event);

    [LoggerMessage(EventId = 10003, EventName = "NotificationFailed", Level = LogLevel.Warning,
        Message = "Notification target {Target} could not be reached for {Event}: {Error}")]
    private static partial void LogFailed(ILogger logger, string target, string error, string @event);
}

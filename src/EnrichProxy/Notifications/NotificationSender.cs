using System.Net.Http.Headers;
using EnrichProxy.Configuration;
using Microsoft.Extensions.Options;

namespace EnrichProxy.Notifications;

/// <summary>
/// Posts a notification to every target, each within <see cref="Timeout"/>. A target that fails is logged by its name
/// and what went wrong, never by its URL (often a secret); the others still get the message.
/// </summary>
internal sealed partial class NotificationSender(IHttpClientFactory clients, IOptions<EnrichProxyOptions> options, ILogger<NotificationSender> logger)
{
    public const string ClientName = "EnrichProxy.Notifications";

    /// <summary>The longest one target may take: a receiver that hangs delays the next check by this much at most.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    // The machine's name (a container's host name): with several instances, which one speaks.
    private static readonly string Instance = Environment.MachineName;

    public async Task SendAsync(Notification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var client = clients.CreateClient(ClientName);
        foreach (var (name, target) in options.Value.Notifications.Targets)
        {
            using var request = NotificationFormats.Request(target.Format, new Uri(target.Url!), notification, Instance);
            if (!string.IsNullOrEmpty(target.Token))
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", target.Token);
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Timeout);
            try
            {
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                if (response.IsSuccessStatusCode)
                {
                    LogSent(logger, notification.Condition.Event, notification.Condition.Subject, name);
                }
                else
                {
                    LogRefused(logger, name, (int)response.StatusCode, notification.Condition.Event);
                }
            }
            catch (Exception failure) when (failure is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                LogFailed(logger, name, failure is OperationCanceledException ? $"no answer within {Timeout.TotalSeconds:0} s" : ((HttpRequestException)failure).HttpRequestError.ToString(), notification.Condition.Event);
            }
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

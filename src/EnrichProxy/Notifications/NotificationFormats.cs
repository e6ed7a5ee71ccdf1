using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using EnrichProxy.Telemetry;

namespace EnrichProxy.Notifications;

/// <summary>
/// A notification as each kind of receiver takes it: a generic JSON webhook, ntfy (a plain-text body with title,
/// priority and tags in headers), a Discord webhook (an embed), or the Apprise API (title, body, type).
/// </summary>
internal static class NotificationFormats
{
    public const string Json = "json";
    public const string Ntfy = "ntfy";
    public const string Discord = "discord";
    public const string Apprise = "apprise";

    public static readonly IReadOnlyList<string> All = [Json, Ntfy, Discord, Apprise];

    public static HttpRequestMessage Request(string format, Uri url, Notification notification, string instance)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var condition = notification.Condition;
        var request = new HttpRequestMessage(HttpMethod.Post, url);
        switch (format.ToLowerInvariant())
        {
            case Ntfy:
                request.Content = new StringContent(condition.Message, Encoding.UTF8, "text/plain");
                // Header values are ASCII: anything else in a title (a cluster id may hold it) becomes '?'.
                request.Headers.TryAddWithoutValidation("Title", Ascii("EnrichProxy: " + condition.Title));
                request.Headers.Add("Priority", condition.Severity switch { NotificationSeverity.Failure => "4", _ => "3" });
                request.Headers.Add("Tags", condition.Severity switch
                {
                    NotificationSeverity.Failure => "rotating_light",
                    NotificationSeverity.Warning => "warning",
                    _ => "white_check_mark",
                });
                break;
            case Discord:
                request.Content = JsonContent.Create(new
                {
                    username = "EnrichProxy",
                    embeds = new[]
                    {
                        new
                        {
                            title = condition.Title,
                            description = condition.Message,
                            color = condition.Severity switch { NotificationSeverity.Failure => 0xC62D2D, NotificationSeverity.Warning => 0xE0A43C, _ => 0x1F8A4C },
                            timestamp = notification.At,
                            footer = new { text = $"EnrichProxy on {instance}" },
                        },
                    },
                });
                break;
            case Apprise:
                request.Content = JsonContent.Create(new
                {
                    title = "EnrichProxy: " + condition.Title,
                    body = condition.Message,
                    type = condition.Severity switch { NotificationSeverity.Failure => "failure", NotificationSeverity.Warning => "warning", _ => "success" },
                });
                break;
            default:
                request.Content = JsonContent.Create(new
                {
                    @event = condition.Event,
                    subject = condition.Subject,
                    state = condition.State,
                    severity = condition.Severity.ToString().ToLowerInvariant(),
                    title = condition.Title,
                    message = condition.Message,
                    at = notification.At,
                    instance,
                    version = InstanceInfo.Version,
                });
                break;
        }

        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("EnrichProxy", "1"));
        // The URL may be the secret (a Discord token, an ntfy topic): no span carries it.
        Untraced.Mark(request);
        return request;
    }

    private static string Ascii(string text) =>
        string.Create(text.Length, text, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = source[i] is >= ' ' and <= '~' ? source[i] : '?';
            }
        });
}

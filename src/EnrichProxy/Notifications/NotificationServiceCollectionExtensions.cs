using EnrichProxy.Configuration;
using Microsoft.Extensions.Options;

namespace EnrichProxy.Notifications;

/// <summary>Registers notifications of upstream, storage and warm-up failures (off until a target is set).</summary>
internal static class NotificationServiceCollectionExtensions
{
    public static IServiceCollection AddEnrichProxyNotifications(this IServiceCollection services)
    {
        // The factory's loggers write each request's URL, which may be the secret (a Discord token, an ntfy topic).
        services.AddHttpClient(NotificationSender.ClientName).RemoveAllLoggers();
        services.AddSingleton<WatchedConditions>();
        services.AddSingleton<NotificationSender>();
        services.AddHostedService<NotificationWatcher>();
        return services;
    }
}

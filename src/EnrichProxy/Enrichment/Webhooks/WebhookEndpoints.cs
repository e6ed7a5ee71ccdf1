using System.Text.Json.Nodes;
using EnrichProxy.Caching;
using EnrichProxy.Caching.Purging;
using EnrichProxy.Configuration;
using EnrichProxy.Errors;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy;

namespace EnrichProxy.Enrichment.Webhooks;

/// <summary>
/// <c>POST /webhooks/radarr|sonarr|lidarr</c>: the Arr apps' own webhook payloads (Settings, Connect,
/// Webhook). Every event that names an item purges, on every instance, the Arr's library reads (the
/// cached routes of its cluster with the <c>arr-library</c> policy) and the item's enrichment document.
/// </summary>
internal static partial class WebhookEndpoints
{
    public const long MaxBodyBytes = 4 * 1024 * 1024;
    private const string LibraryPolicy = "arr-library";

    /// <summary>The result of one webhook: what was purged.</summary>
    internal sealed record WebhookResult(string EventType, string? Item, IReadOnlyList<string> PurgedRoutes);

    public static IEndpointRouteBuilder MapWebhooks(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<EnrichProxyOptions>>().Value.Webhooks;
        var logger = endpoints.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(WebhookEndpoints));
        if (!options.RequiresCredentials)
        {
            LogAnonymous(logger);
        }
        else if (!options.HasCredentials)
        {
            LogRefusedWithoutCredentials(logger);
        }

        var webhooks = endpoints.MapGroup("/webhooks").AddEndpointFilter<WebhookAuthFilter>().WithTags("Webhooks");
        webhooks.MapPost("/{arr}", HandleAsync).WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes))
            .WithSummary("An Arr app's webhook (radarr, sonarr, lidarr): purges its library reads and the item's document.")
            .Accepts<JsonObject>("application/json")
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        return endpoints;
    }

    private static async Task<Results<Ok<WebhookResult>, ProblemHttpResult>> HandleAsync(
        string arr, HttpContext context, Purger purger, IProxyStateLookup proxyState, CachePolicyRegistry policies, ILoggerFactory loggers)
    {
        if (ItemKinds.OfApp(arr) is not { } kind)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown webhook",
                detail: "Webhooks are received at /webhooks/radarr, /webhooks/sonarr and /webhooks/lidarr.");
        }

        var (payload, tooLarge) = await JsonBodies.ReadAsync<JsonObject>(context);
        if (tooLarge)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Webhook too large", detail: $"A webhook body is at most {MaxBodyBytes} bytes.");
        }

        if (payload?["eventType"] is not JsonValue eventValue || !eventValue.TryGetValue<string>(out var eventType) || eventType.Length == 0)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid webhook",
                detail: $"The body must be a {kind.Library.App} webhook payload: a JSON object with an eventType.");
        }

        if (!ArrWebhookEvents.IsKnown(eventType))
        {
            // Not echoed: the text is the sender's.
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Unknown webhook event",
                detail: $"The eventType is not one {kind.Library.App} sends (Download, Grab, Rename, Test and the others of its webhook connection).");
        }

        // Test, Health, ApplicationUpdate...: nothing in the library changed, or the event names no item.
        var item = ArrWebhookEvents.IsTest(eventType) ? null : ArrWebhookEvents.ItemOf(kind, payload);
        if (ArrWebhookEvents.IsTest(eventType) || (item is null && !ArrWebhookEvents.ChangesLibrary(eventType)))
        {
            return TypedResults.Ok(new WebhookResult(eventType, null, []));
        }

        var routes = proxyState.GetRoutes()
            .Where(route => string.Equals(route.Config.ClusterId, kind.Library.ClusterId, StringComparison.OrdinalIgnoreCase)
                && string.Equals(policies.Resolve(route.Config)?.Name, LibraryPolicy, StringComparison.OrdinalIgnoreCase))
            .Select(route => route.Config.RouteId)
            .ToList();
        var stored = true;
        foreach (var routeId in routes)
        {
            stored &= (await purger.PurgeAsync(PurgeScope.Route, routeId)).Stored;
        }

        if (item is { } key)
        {
            stored &= (await purger.PurgeAsync(PurgeScope.Tag, EnrichedDocuments.Tag(key))).Stored;
        }

        var logger = loggers.CreateLogger(typeof(WebhookEndpoints));
        var itemName = item?.ToString() ?? "-";
        LogReceived(logger, kind.Library.App, eventType, itemName);
        return stored
            ? TypedResults.Ok(new WebhookResult(eventType, item?.ToString(), routes))
            : TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Purge not stored",
                detail: "The purges hold on this instance, but could not be stored for the others. Send the webhook again.");
    }

    [LoggerMessage(EventId = 6102, EventName = "WebhooksWithoutCredentials", Level = LogLevel.Warning,
        Message = "Webhooks (/webhooks/radarr, sonarr, lidarr) are refused until EnrichProxy:Webhooks:Username and Password are set, and the same in each Arr's webhook connection")]
    private static partial void LogRefusedWithoutCredentials(ILogger logger);

    [LoggerMessage(EventId = 6103, EventName = "WebhooksAnonymous", Level = LogLevel.Warning,
        Message = "Webhooks accept anyone who can reach the port (EnrichProxy:Webhooks:AllowAnonymous): anyone there can purge library reads and documents")]
    private static partial void LogAnonymous(ILogger logger);

    [LoggerMessage(EventId = 6101, EventName = "WebhookReceived", Level = LogLevel.Information,
        Message = "{App} webhook {EventType} for {Item}: library reads and document purged")]
    private static partial void LogReceived(ILogger logger, string app, string eventType, string item);
}

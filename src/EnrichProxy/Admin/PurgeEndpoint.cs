using System.Text.Json;
using EnrichProxy.Caching;
using EnrichProxy.Caching.Purging;
using EnrichProxy.Errors;
using EnrichProxy.Telemetry;
using Microsoft.AspNetCore.Http.HttpResults;
using Yarp.ReverseProxy;

namespace EnrichProxy.Admin;

/// <summary><c>POST /admin/purge</c> with <c>{"url": ...}</c>, <c>{"route": ...}</c> or <c>{"tag": ...}</c>.</summary>
internal static class PurgeEndpoint
{
    private const int MaxTagLength = 256;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The largest purge body read: a URL of 8 KiB and its JSON.</summary>
    public const long MaxBodyBytes = 16 * 1024;

    public static async Task<Results<Ok<PurgeResult>, ProblemHttpResult>> HandleAsync(
        HttpContext context, Purger purger, PurgeUrls urls, IProxyStateLookup proxyState, CachePolicyRegistry policies)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (body, tooLarge) = await JsonBodies.ReadAsync<PurgeRequest>(context, Json);
        if (tooLarge)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Purge request too large",
                detail: $"A purge body is at most {MaxBodyBytes} bytes.");
        }

        var given = new[] { body?.Url, body?.Route, body?.Tag }.Count(value => value is not null);
        if (body is null || given != 1)
        {
            return BadRequest("The body must be JSON with exactly one of url, route and tag: {\"url\": \"/tmdb/3/movie/603\"}, {\"route\": \"<route id>\"} or {\"tag\": \"tmdb:movie:603\"}.");
        }

        (PurgeScope Scope, string Value)? target = body switch
        {
            { Url: { } url } => urls.TryNormalize(url, out var part) ? (PurgeScope.Url, part) : null,
            { Route: { } route } => CachedRouteId(route, proxyState, policies) is { } routeId ? (PurgeScope.Route, routeId) : null,
            { Tag: { Length: > 0 and <= MaxTagLength } tag } when !string.IsNullOrWhiteSpace(tag) => (PurgeScope.Tag, tag),
            _ => null,
        };
        if (target is not { } purge)
        {
            return body switch
            {
                { Url: not null } => BadRequest("url must be a path such as /tmdb/3/movie/603, or an absolute http(s) URL."),
                { Route: not null } => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown route",
                    detail: "No cached route has that id; GET /admin/stats lists them."),
                _ => BadRequest($"tag must be 1 to {MaxTagLength} characters."),
            };
        }

        using var activity = EnrichProxySpans.Source.StartActivity(EnrichProxySpans.AdminPurge);
        activity?.SetTag(EnrichProxySpans.PurgeScopeAttribute, PurgeMarker.ScopeName(purge.Scope));
        var (marker, stored) = await purger.PurgeAsync(purge.Scope, purge.Value);
        return stored
            ? TypedResults.Ok(new PurgeResult(PurgeMarker.ScopeName(marker.Scope), marker.Value, marker.PurgedAt))
            : TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Purge not stored",
                detail: "The purge holds on this instance, but it could not be stored, so other instances and a restart do not know it. Send it again.");
    }

    // The id as configured: routes are looked up whatever the case, and markers compared exactly.
    private static string? CachedRouteId(string routeId, IProxyStateLookup proxyState, CachePolicyRegistry policies) =>
        proxyState.TryGetRoute(routeId, out var route) && policies.Resolve(route.Config) is not null ? route.Config.RouteId : null;

    private static ProblemHttpResult BadRequest(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid purge request", detail: detail);
}

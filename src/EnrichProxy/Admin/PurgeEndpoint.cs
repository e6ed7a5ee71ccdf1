using System.Text.Json;
using EnrichProxy.Caching;
using EnrichProxy.Caching.Purging;
using EnrichProxy.Telemetry;
using Microsoft.AspNetCore.Http.HttpResults;
using Yarp.ReverseProxy;

namespace EnrichProxy.Admin;

/// <summary><c>POST /admin/purge</c> with <c>{"url": ...}</c>, <c>{"route": ...}</c> or <c>{"tag": ...}</c>.</summary>
internal static class PurgeEndpoint
{
    private const int MaxTagLength = 256;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<Results<Ok<PurgeResult>, ProblemHttpResult>> HandleAsync(
        HttpContext context, Purger purger, PurgeUrls urls, IProxyStateLookup proxyState, CachePolicyRegistry policies)
    {
        ArgumentNullException.ThrowIfNull(context);
        PurgeRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<PurgeRequest>(context.Request.Body, Json, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            return BadRequest("The body must be JSON: {\"url\": \"/tmdb/3/movie/603\"}, {\"route\": \"<route id>\"} or {\"tag\": \"tmdb:movie:603\"}.");
        }

        var given = new[] { body?.Url, body?.Route, body?.Tag }.Count(value => value is not null);
        if (body is null || given != 1)
        {
            return BadRequest("Give exactly one of url, route and tag.");
        }

        (PurgeScope Scope, string Value)? target = body switch
        {
            { Url: { } url } => urls.TryNormalize(url, out var part) ? (PurgeScope.Url, part) : null,
            { Route: { } route } => IsCachedRoute(route, proxyState, policies) ? (PurgeScope.Route, route) : null,
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
        var marker = await purger.PurgeAsync(purge.Scope, purge.Value, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(new PurgeResult(PurgeMarker.ScopeName(marker.Scope), marker.Value, marker.PurgedAt));
    }

    private static bool IsCachedRoute(string routeId, IProxyStateLookup proxyState, CachePolicyRegistry policies) =>
        proxyState.TryGetRoute(routeId, out var route) && policies.Resolve(route.Config) is not null;

    private static ProblemHttpResult BadRequest(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid purge request", detail: detail);
}

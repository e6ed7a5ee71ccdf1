using System.Text.Json;
using EnrichProxy.Configuration;
using EnrichProxy.Enrichment;
using EnrichProxy.Errors;
using EnrichProxy.Warmup;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace EnrichProxy.Admin;

/// <summary>
/// The status page's actions beside purges: <c>POST /admin/warmup</c> (a warm-up round now) and
/// <c>POST /admin/refresh</c> (one movie, series or artist read again from its sources).
/// </summary>
internal static class ActionEndpoints
{
    /// <summary>The largest refresh body read: a kind and an id.</summary>
    public const long MaxRefreshBodyBytes = 1024;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static Results<Accepted<WarmupStarted>, ProblemHttpResult> StartWarmup(
        WarmupTrigger trigger, WarmupProgress progress, IOptions<EnrichProxyOptions> options)
    {
        if (!options.Value.Warmup.Enabled)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Warm-up off",
                detail: "The warm-up is off: set EnrichProxy:Warmup:Enabled to true.");
        }

        if (progress.IsRunning)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Warm-up running",
                detail: $"A warm-up round is running ({progress.Done} of {progress.Items} items done); the next can start when it ends.");
        }

        trigger.Request();
        return TypedResults.Accepted((string?)null, new WarmupStarted(true));
    }

    public static async Task<Results<Ok<ItemRefreshResult>, ProblemHttpResult>> RefreshItemAsync(
        HttpContext context, ItemRefresh refresh)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (body, tooLarge) = await JsonBodies.ReadAsync<RefreshRequest>(context, Json);
        if (tooLarge)
        {
            return BadRequest(StatusCodes.Status413PayloadTooLarge, $"A refresh body is at most {MaxRefreshBodyBytes} bytes.");
        }

        if (body is null || !ItemKey.TryParseKind(body.Kind, out var kind))
        {
            return BadRequest(StatusCodes.Status400BadRequest, "The body must be JSON with a kind (movies, series or artists) and an id: {\"kind\": \"movies\", \"id\": \"603\"}.");
        }

        if (!ItemKey.TryParse(kind, body.Id, out var item))
        {
            return BadRequest(StatusCodes.Status400BadRequest, $"id must be {ItemKey.IdDescription(kind)}.");
        }

        var result = await refresh.RefreshAsync(ItemKinds.Of(kind), item, context.RequestAborted);
        return result.PurgesStored
            ? TypedResults.Ok(result)
            : TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Purge not stored",
                detail: "The item was read again on this instance, but its purges could not be stored for the others. Send it again.");
    }

    private static ProblemHttpResult BadRequest(int status, string detail) =>
        TypedResults.Problem(statusCode: status, title: "Invalid refresh request", detail: detail);
}

/// <summary>The body of <c>POST /admin/refresh</c>.</summary>
internal sealed record RefreshRequest(string? Kind, string? Id);

/// <summary>The answer of <c>POST /admin/warmup</c>.</summary>
internal sealed record WarmupStarted(bool Started);

using System.Text.Json.Nodes;
using EnrichProxy.Caching.Purging;
using EnrichProxy.Enrichment;
using EnrichProxy.Enrichment.Overrides;
using EnrichProxy.Errors;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace EnrichProxy.Admin;

/// <summary>
/// <c>GET</c>, <c>PUT</c> and <c>DELETE /admin/overrides/{movies|series|artists}/{id}</c>: the operator's
/// own fields of an item (the internal tier of the enrichment API, which wins over every other).
/// </summary>
internal static class OverrideEndpoints
{
    /// <summary>What a stored override looks like to the caller.</summary>
    internal sealed record OverrideView(string Kind, string Id, JsonObject Fields, DateTimeOffset UpdatedAt);

    public static void MapOverrides(this RouteGroupBuilder admin)
    {
        var overrides = admin.MapGroup("/overrides/{kind}/{id}");
        overrides.MapGet(string.Empty, GetAsync).WithSummary("The operator's fields of a movie, series or artist.");
        overrides.MapPut(string.Empty, PutAsync).WithMetadata(new RequestSizeLimitAttribute(ItemOverride.MaxBodyBytes))
            .WithSummary("Sets the operator's fields of an item: they win over the library and the external APIs.")
            .Accepts<JsonObject>("application/json");
        overrides.MapDelete(string.Empty, DeleteAsync).WithSummary("Removes the operator's fields of an item.");
    }

    private static async Task<Results<Ok<OverrideView>, ProblemHttpResult>> GetAsync(string kind, string id, IOverrideStore store, CancellationToken cancellationToken)
    {
        if (Parse(kind, id) is not { } item)
        {
            return InvalidItem(kind);
        }

        return await store.GetAsync(item, cancellationToken) is { } found
            ? TypedResults.Ok(View(found))
            : NoOverride(item);
    }

    private static async Task<Results<Ok<OverrideView>, ProblemHttpResult>> PutAsync(
        string kind, string id, HttpContext context, IOverrideStore store, Purger purger, TimeProvider time)
    {
        if (Parse(kind, id) is not { } item)
        {
            return InvalidItem(kind);
        }

        var (fields, tooLarge) = await JsonBodies.ReadAsync<JsonObject>(context);
        if (tooLarge)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Override too large",
                detail: $"An override is at most {ItemOverride.MaxBodyBytes} bytes.");
        }

        if (fields is null)
        {
            return BadRequest("The body must be a JSON object of fields, such as {\"title\": \"The Matrix\", \"year\": 1999}.");
        }

        if (ItemOverride.Problem(fields) is { } problem)
        {
            return BadRequest(problem);
        }

        var stored = new ItemOverride(item, fields, time.GetUtcNow());
        await store.SetAsync(stored, CancellationToken.None);
        await ForgetDocumentAsync(purger, item);
        return TypedResults.Ok(View(stored));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string kind, string id, IOverrideStore store, Purger purger)
    {
        if (Parse(kind, id) is not { } item)
        {
            return InvalidItem(kind);
        }

        if (!await store.RemoveAsync(item, CancellationToken.None))
        {
            return NoOverride(item);
        }

        await ForgetDocumentAsync(purger, item);
        return TypedResults.NoContent();
    }

    // A purge of the document's tag, not a removal: a document being assembled with the old override
    // right now is older than the purge, so it is not served either; and every instance hears of it.
    private static async Task ForgetDocumentAsync(Purger purger, ItemKey item) =>
        await purger.PurgeAsync(PurgeScope.Tag, EnrichedDocuments.Tag(item));

    private static ItemKey? Parse(string kind, string id) =>
        ItemKey.TryParseKind(kind, out var itemKind) && ItemKey.TryParse(itemKind, id, out var item) ? item : null;

    private static OverrideView View(ItemOverride value) =>
        new(ItemKey.KindName(value.Item.Kind), value.Item.Id, value.Fields, value.UpdatedAt);

    private static ProblemHttpResult InvalidItem(string kind) => ItemKey.TryParseKind(kind, out var itemKind)
        ? BadRequest($"The id must be {ItemKey.IdDescription(itemKind)}.")
        : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown kind", detail: "Overrides are kept for movies, series and artists.");

    private static ProblemHttpResult NoOverride(ItemKey item) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No override", detail: $"There is no override for {item}.");

    private static ProblemHttpResult BadRequest(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid override", detail: detail);
}

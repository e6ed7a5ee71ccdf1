using Microsoft.AspNetCore.Http.HttpResults;

namespace EnrichProxy.Enrichment;

/// <summary>
/// The enrichment API: <c>GET /api/v1/movies/{tmdbId}</c>, <c>/api/v1/series/{tvdbId}</c> and <c>/api/v1/artists/{mbid}</c> answer one merged
/// document from the priority chain, with <c>X-EnrichProxy-Source</c> naming the tier that answered.
/// </summary>
internal static class EnrichmentEndpoints
{
    public const string SourceHeader = "X-EnrichProxy-Source";

    public static IEndpointRouteBuilder MapEnrichmentApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/v1").WithTags("Enrichment");
        foreach (var kind in ItemKinds.All)
        {
            MapKind(api, kind);
        }

        return endpoints;
    }

    // GET /api/v1/{kind}/{id}, the id named after its provider so that the OpenAPI description says which.
    private static void MapKind(RouteGroupBuilder api, ItemKindDefinition kind) =>
        api.MapGet($"/{kind.Name}/{{{kind.IdParameter}}}", (HttpContext context, string? fields, ItemResolver resolver, LibraryAccess access) =>
                GetAsync(kind, context.GetRouteValue(kind.IdParameter)?.ToString() ?? string.Empty, fields, context, resolver, access))
            .WithSummary(kind.Summary)
            .WithDescription("fields=title,year limits the document to those fields (and skips the external APIs when the library and overrides answer them). X-EnrichProxy-Source names the tier that answered: cache, arr, internal or external. `complete: false` means a part is still being fetched in the background.")
            .Produces<System.Text.Json.Nodes.JsonObject>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status502BadGateway);

    private static async Task<IResult> GetAsync(
        ItemKindDefinition kind, string id, string? fields, HttpContext context, ItemResolver resolver, LibraryAccess access)
    {
        if (!ItemKey.TryParse(kind.Kind, id, out var item))
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid id", $"The id must be {kind.IdDescription}.");
        }

        if (!TryParseFields(fields, kind.Fields, out var asked, out var unknown))
        {
            return Problem(StatusCodes.Status400BadRequest, "Unknown field", $"'{unknown}' is not a field of {kind.Name}; the fields are {string.Join(", ", kind.Fields)}.");
        }

        var view = access.MaySee(context.Request, kind) ? DocumentView.Library : DocumentView.Public;
        var answer = await resolver.ResolveAsync(kind, item, asked, view, context.RequestAborted);
        switch (answer.Outcome)
        {
            case EnrichmentOutcome.Found:
                context.Response.Headers[SourceHeader] = answer.Source;
                return TypedResults.Json(answer.Document);
            case EnrichmentOutcome.NotFound:
                return Problem(StatusCodes.Status404NotFound, "Unknown item", $"No library, override or external source knows {item}.");
            default:
                return Problem(StatusCodes.Status502BadGateway, "Every source failed",
                    $"These tiers failed and nothing is cached for {item}: {string.Join(", ", answer.FailedTiers)}.", answer.FailedTiers);
        }
    }

    // fields=title,year: a subset of the document, and no external call when the library and overrides answer it all.
    private static bool TryParseFields(string? text, IReadOnlyList<string> known, out IReadOnlyList<string>? fields, out string? unknown)
    {
        fields = null;
        unknown = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        var asked = new List<string>();
        foreach (var name in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var field = known.FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));
            if (field is null)
            {
                unknown = name.Length > 64 ? name[..64] + "..." : name;
                return false;
            }

            if (!asked.Contains(field))
            {
                asked.Add(field);
            }
        }

        fields = asked.Count == 0 ? null : asked;
        return true;
    }

    private static ProblemHttpResult Problem(int status, string title, string detail, IReadOnlyList<string>? failedTiers = null) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail,
            extensions: failedTiers is null ? null : new Dictionary<string, object?> { ["failedTiers"] = failedTiers });
}

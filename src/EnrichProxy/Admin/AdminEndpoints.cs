using Microsoft.AspNetCore.Mvc;

namespace EnrichProxy.Admin;

/// <summary>Maps the admin API under <c>/admin</c>, every endpoint behind <see cref="AdminKeyFilter"/>.</summary>
internal static class AdminEndpoints
{
    public static IEndpointRouteBuilder MapEnrichProxyAdmin(this IEndpointRouteBuilder endpoints)
    {
        var admin = endpoints.MapGroup("/admin").AddEndpointFilter<AdminKeyFilter>().WithTags("Admin")
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapPost("/purge", PurgeEndpoint.HandleAsync).WithMetadata(new RequestSizeLimitAttribute(PurgeEndpoint.MaxBodyBytes))
            .WithSummary("Purge by url, route or tag (exactly one), on every instance.")
            .Accepts<PurgeRequest>("application/json");
        admin.MapGet("/stats", StatsEndpoint.Handle).WithMetadata(ReadOnlyKeyAllowed.Instance)
            .WithSummary("Totals, per-route answers, upstream states, cache levels, purges and the background queue. The read-only key opens it too.");
        admin.MapPost("/warmup", ActionEndpoints.StartWarmup).WithSummary("Starts a warm-up round now, unless one is running.");
        admin.MapPost("/refresh", ActionEndpoints.RefreshItemAsync).WithMetadata(new RequestSizeLimitAttribute(ActionEndpoints.MaxRefreshBodyBytes))
            .WithSummary("Refreshes one movie, series or artist: purges its document and the reads it is made of, on every instance, and reads it again.")
            .Accepts<RefreshRequest>("application/json");
        admin.MapOverrides();
        return endpoints;
    }
}

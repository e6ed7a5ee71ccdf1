using Microsoft.AspNetCore.Mvc;

namespace EnrichProxy.Admin;

/// <summary>Maps the admin API under <c>/admin</c>, every endpoint behind <see cref="AdminKeyFilter"/>.</summary>
internal static class AdminEndpoints
{
    public static IEndpointRouteBuilder MapEnrichProxyAdmin(this IEndpointRouteBuilder endpoints)
    {
        var admin = endpoints.MapGroup("/admin").AddEndpointFilter<AdminKeyFilter>();
        admin.MapPost("/purge", PurgeEndpoint.HandleAsync).WithMetadata(new RequestSizeLimitAttribute(PurgeEndpoint.MaxBodyBytes));
        admin.MapGet("/stats", StatsEndpoint.Handle);
        admin.MapOverrides();
        return endpoints;
    }
}

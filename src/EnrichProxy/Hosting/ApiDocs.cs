using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace EnrichProxy.Hosting;

/// <summary>
/// The OpenAPI description of EnrichProxy's own APIs at <c>/openapi/v1.json</c>, and a reader for it at <c>/docs</c>
/// (Scalar, its script served from the binary like the status page's). The credentials each API takes are declared
/// as security schemes: the admin key, the webhooks' Basic credentials, and the Arr key that opens the library view.
/// </summary>
internal static class ApiDocs
{
    public const string AdminKeyScheme = "adminKey";
    public const string WebhookScheme = "webhookBasic";
    public const string ArrKeyScheme = "arrApiKey";

    public static IServiceCollection AddApiDocs(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "EnrichProxy";
                document.Info.Description = "The enrichment API (one merged document per movie, series or artist from the library, the overrides and the metadata APIs), the admin API and the Arr webhooks. Proxied routes are not listed: they answer as their upstreams do.";
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[AdminKeyScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey,
                    In = ParameterLocation.Header,
                    Name = "X-Admin-Key",
                    Description = "EnrichProxy:Admin:ApiKey for every admin endpoint; EnrichProxy:Admin:ReadOnlyApiKey opens GET /admin/stats only.",
                };
                document.Components.SecuritySchemes[WebhookScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "basic",
                    Description = "EnrichProxy:Webhooks:Username and Password, as set in each Arr's webhook connection.",
                };
                document.Components.SecuritySchemes[ArrKeyScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey,
                    In = ParameterLocation.Header,
                    Name = "X-Api-Key",
                    Description = "The API key of the Arr instance the item belongs to (Radarr for movies): it opens the library view. Without it, the public view.",
                };
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                var tags = context.Description.ActionDescriptor.EndpointMetadata.OfType<Microsoft.AspNetCore.Http.Metadata.ITagsMetadata>().SelectMany(t => t.Tags).ToHashSet();
                var scheme = tags.Contains("Admin") ? AdminKeyScheme : tags.Contains("Webhooks") ? WebhookScheme : tags.Contains("Enrichment") ? ArrKeyScheme : null;
                if (scheme is null)
                {
                    return Task.CompletedTask;
                }

                operation.Security ??= [];
                operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(scheme, context.Document)] = [] });
                if (scheme == ArrKeyScheme)
                {
                    // The key is optional there: without one, the public view.
                    operation.Security.Add(new OpenApiSecurityRequirement());
                }

                return Task.CompletedTask;
            });
        });

    public static IEndpointRouteBuilder MapApiDocs(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapOpenApi(); // /openapi/v1.json
        endpoints.MapScalarApiReference("/docs", options => options
            .WithTitle("EnrichProxy API")
            // Offline installs: no fonts from a CDN, nothing sent anywhere.
            .DisableDefaultFonts()
            .DisableTelemetry()
            .AddPreferredSecuritySchemes([AdminKeyScheme]));
        return endpoints;
    }
}

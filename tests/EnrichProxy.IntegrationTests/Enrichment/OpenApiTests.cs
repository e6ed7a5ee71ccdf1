using System.Net;
using System.Text.Json;
using EnrichProxy.IntegrationTests.Infrastructure;

namespace EnrichProxy.IntegrationTests.Enrichment;

public sealed class OpenApiTests
{
    [Fact]
    public async Task TheOpenApiDescription_CoversTheEnrichmentAdminAndWebhookApis_AndNoProxiedRoute()
    {
        await using var proxy = await ProxyHost.StartAsync(ProxyHost.Settings());

        using var response = await proxy.Client.GetAsync("/openapi/v1.json");
        var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var paths = document.GetProperty("paths").EnumerateObject().Select(path => path.Name).ToList();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("3.", document.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        Assert.Equal("EnrichProxy", document.GetProperty("info").GetProperty("title").GetString());
        Assert.Contains("/api/v1/movies/{tmdbId}", paths);
        Assert.Contains("/admin/purge", paths);
        Assert.Contains("/admin/stats", paths);
        Assert.Contains("/admin/overrides/{kind}/{id}", paths);
        Assert.Contains("/webhooks/{arr}", paths);
        Assert.DoesNotContain(paths, path => path.StartsWith("/tmdb", StringComparison.Ordinal) || path.StartsWith("/radarr", StringComparison.Ordinal));
        var movie = document.GetProperty("paths").GetProperty("/api/v1/movies/{tmdbId}").GetProperty("get");
        Assert.True(movie.GetProperty("responses").TryGetProperty("502", out _));
        var schemes = document.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal("X-Admin-Key", schemes.GetProperty("adminKey").GetProperty("name").GetString());
        Assert.Equal("basic", schemes.GetProperty("webhookBasic").GetProperty("scheme").GetString());
        Assert.Equal("X-Api-Key", schemes.GetProperty("arrApiKey").GetProperty("name").GetString());
        var statsSecurity = document.GetProperty("paths").GetProperty("/admin/stats").GetProperty("get").GetProperty("security");
        Assert.True(statsSecurity[0].TryGetProperty("adminKey", out _));
        var webhookSecurity = document.GetProperty("paths").GetProperty("/webhooks/{arr}").GetProperty("post").GetProperty("security");
        Assert.True(webhookSecurity[0].TryGetProperty("webhookBasic", out _));
        // The Arr key is optional on the enrichment API: without one, the public view.
        Assert.Equal(2, movie.GetProperty("security").GetArrayLength());
    }

    [Fact]
    public async Task TheApiDocs_AreServedFromTheBinary()
    {
        await using var proxy = await ProxyHost.StartAsync(ProxyHost.Settings());

        using var page = await proxy.Client.GetAsync("/docs/");
        var html = await page.Content.ReadAsStringAsync();
        using var script = await proxy.Client.GetAsync("/docs/scalar.js");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<script src=\"scalar.js\">", html, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.True((await script.Content.ReadAsByteArrayAsync()).Length > 100_000);
    }
}

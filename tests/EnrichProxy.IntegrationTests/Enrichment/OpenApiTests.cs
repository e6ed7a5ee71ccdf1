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
    }
}

using System.Net;
using System.Text.Json;
using EnrichProxy.IntegrationTests.Fixtures;
using EnrichProxy.IntegrationTests.Infrastructure;
using static EnrichProxy.IntegrationTests.Infrastructure.ProxyHost;

namespace EnrichProxy.IntegrationTests.Admin;

/// <summary>The admin API's key, and <c>GET /admin/stats</c>.</summary>
public sealed class AdminAccessTests : IDisposable
{
    private readonly FakeUpstream _tmdb = new();

    [Fact]
    public async Task WithoutAConfiguredKey_TheAdminApiIsOff()
    {
        await using var proxy = await StartAsync(ProxyHost.Settings(Destination("tmdb", _tmdb.Url)));

        using var stats = await proxy.StatsAsync();
        using var purge = await proxy.PurgeAsync(new { route = "tmdb-movie" });

        Assert.Equal(HttpStatusCode.NotFound, stats.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, purge.StatusCode);
        Assert.Equal("application/problem+json", stats.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("admin-key-for-tests-012345678")]
    [InlineData("admin-key-for-tests-0123456789x")]
    public async Task AMissingOrWrongKey_Gets401AndPurgesNothing(string? key)
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie());
        await using var proxy = await StartAsync(ProxyHost.Settings(Destination("tmdb", _tmdb.Url), AdminClient.Enabled));
        await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);

        using var stats = await proxy.StatsAsync(key);
        using var purge = await proxy.PurgeAsync(new { route = "tmdb-movie" }, key);
        using var after = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);

        Assert.Equal(HttpStatusCode.Unauthorized, stats.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, purge.StatusCode);
        Assert.Equal("application/problem+json", purge.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain(AdminClient.Key, await purge.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("HIT", after.XCache());
    }

    [Fact]
    public async Task Stats_CountAnswersPerRouteAndShowUpstreamsCacheAndQueue()
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie());
        await using var proxy = await StartAsync(ProxyHost.Settings(
            Destination("tmdb", _tmdb.Url), AdminClient.Enabled, ("EnrichProxy:Cache:L2SampleInterval", "00:00:00.200")));
        await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);

        var stats = await StatsUntilAsync(proxy, s => s.GetProperty("cache").GetProperty("l2").GetProperty("entries").ValueKind == JsonValueKind.Number
            && s.GetProperty("cache").GetProperty("l2").GetProperty("entries").GetInt64() >= 1);
        var route = stats.GetProperty("routes").GetProperty("tmdb-movie");

        Assert.Equal(2, route.GetProperty("hits").GetInt64());
        Assert.Equal(1, route.GetProperty("misses").GetInt64());
        Assert.Equal(0, route.GetProperty("stale").GetInt64());
        Assert.Equal(0, route.GetProperty("coalesced").GetInt64());
        Assert.Equal(0.6667, route.GetProperty("hitRatio").GetDouble());
        Assert.Equal("closed", stats.GetProperty("upstreams").GetProperty("tmdb").GetProperty("circuit").GetString());
        Assert.True(stats.GetProperty("cache").GetProperty("l1").GetProperty("entries").GetInt64() >= 1);
        Assert.True(stats.GetProperty("cache").GetProperty("l1").GetProperty("bytes").GetInt64() > 0);
        Assert.Equal("disk", stats.GetProperty("cache").GetProperty("l2").GetProperty("kind").GetString());
        Assert.True(stats.GetProperty("cache").GetProperty("l2").GetProperty("bytes").GetInt64() > 0);
        Assert.Equal(0, stats.GetProperty("queue").GetProperty("depth").GetInt64());
    }

    [Fact]
    public async Task TheReadOnlyKey_ReadsStats_AndNothingElse()
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie());
        await using var proxy = await StartAsync(ProxyHost.Settings(Destination("tmdb", _tmdb.Url), AdminClient.Enabled, AdminClient.ReadOnlyEnabled));
        await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);

        using var stats = await proxy.StatsAsync(AdminClient.ReadOnlyKey);
        using var purge = await proxy.PurgeAsync(new { route = "tmdb-movie" }, AdminClient.ReadOnlyKey);
        using var adminStats = await proxy.StatsAsync();
        using var after = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        // curl, as a Homepage widget or a script would call it.
        var byCurl = await Curl.RunAsync("-s", "-H", $"X-Admin-Key: {AdminClient.ReadOnlyKey}", new Uri(proxy.Client.BaseAddress!, "/admin/stats").ToString());

        Assert.Equal(HttpStatusCode.OK, stats.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, purge.StatusCode);
        Assert.Equal(HttpStatusCode.OK, adminStats.StatusCode);
        Assert.Equal("HIT", after.XCache());
        Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(byCurl).RootElement.GetProperty("totals").ValueKind);
        Assert.DoesNotContain(AdminClient.ReadOnlyKey, await stats.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnlyAReadOnlyKey_OpensStats_WhileTheActionsStayOff()
    {
        await using var proxy = await StartAsync(ProxyHost.Settings(Destination("tmdb", _tmdb.Url), AdminClient.ReadOnlyEnabled));

        using var stats = await proxy.StatsAsync(AdminClient.ReadOnlyKey);
        using var noKey = await proxy.StatsAsync(null);
        using var purge = await proxy.PurgeAsync(new { route = "tmdb-movie" }, AdminClient.ReadOnlyKey);

        Assert.Equal(HttpStatusCode.OK, stats.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, purge.StatusCode);
    }

    [Fact]
    public async Task AReadOnlyKeyEqualToTheAdminKey_StopsTheStart()
    {
        var failure = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => StartAsync(ProxyHost.Settings(
            AdminClient.Enabled, ("EnrichProxy:Admin:ReadOnlyApiKey", AdminClient.Key))));

        Assert.Contains("ReadOnlyApiKey must differ", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(AdminClient.Key, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stats_HaveTotals_TheInstance_AndEachUpstreamsLastFailure()
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie());
        _tmdb.Json("/3/movie/13", "{}", status: 503);
        await using var proxy = await StartAsync(ProxyHost.Settings(
            Destination("tmdb", _tmdb.Url), AdminClient.Enabled, ("EnrichProxy:Upstreams:tmdb:Retry:MaxRetries", "0")));
        await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        await proxy.Client.GetAsync("/tmdb/3/movie/13");

        using var response = await proxy.StatsAsync();
        var stats = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var totals = stats.GetProperty("totals");
        var tmdb = stats.GetProperty("upstreams").GetProperty("tmdb");

        Assert.Equal(3, totals.GetProperty("requests").GetInt64());
        Assert.Equal(1, totals.GetProperty("hits").GetInt64());
        Assert.Equal(2, totals.GetProperty("misses").GetInt64());
        Assert.Equal(0.3333, totals.GetProperty("hitRatio").GetDouble());
        Assert.True(totals.GetProperty("upstreams").GetProperty("closed").GetInt32() >= 1);
        Assert.Equal(0, totals.GetProperty("upstreams").GetProperty("open").GetInt32());
        Assert.Equal("default: answered 503", tmdb.GetProperty("lastFailure").GetProperty("what").GetString());
        Assert.Equal(JsonValueKind.String, tmdb.GetProperty("lastFailure").GetProperty("at").ValueKind);
        Assert.Equal(JsonValueKind.Null, tmdb.GetProperty("pauseReason").ValueKind);
        var instance = stats.GetProperty("instance");
        Assert.False(string.IsNullOrEmpty(instance.GetProperty("version").GetString()));
        Assert.Equal(Path.Combine(proxy.ContentRoot, "cache"), instance.GetProperty("dataDirectory").GetString());
        Assert.Equal(JsonValueKind.String, stats.GetProperty("takenAt").ValueKind);
    }

    public void Dispose() => _tmdb.Dispose();

    private static async Task<JsonElement> StatsUntilAsync(ProxyHost proxy, Func<JsonElement, bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            using var response = await proxy.StatsAsync();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var stats = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            if (condition(stats) || DateTime.UtcNow > deadline)
            {
                return stats;
            }

            await Task.Delay(100);
        }
    }
}

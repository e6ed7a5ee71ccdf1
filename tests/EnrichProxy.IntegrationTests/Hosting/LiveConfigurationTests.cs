using System.Net;
using System.Text.Json;
using EnrichProxy.IntegrationTests.Fixtures;
using EnrichProxy.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using static EnrichProxy.IntegrationTests.Infrastructure.ProxyHost;

namespace EnrichProxy.IntegrationTests.Hosting;

/// <summary>
/// Configuration edits applied without a restart: the operator's appsettings.json in the content root (the container's
/// /config) is edited on disk while the real proxy runs, as a person with an editor would.
/// </summary>
public sealed class LiveConfigurationTests : IDisposable
{
    private readonly FakeUpstream _tmdb = new();
    private readonly FakeUpstream _extra = new();
    private readonly string _contentRoot = Directory.CreateTempSubdirectory("enrichproxy-live-").FullName;

    [Fact]
    public async Task APolicyWhoseTtlShrank_ItsStoredEntriesObeyTheNewTtl()
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie());
        WriteOverrides(new { EnrichProxy = new { Policies = new Dictionary<string, object> { ["tmdb-movie"] = new { Ttl = "1.00:00:00" } } } });
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var proxy = await StartAsync(Settings(), time, _contentRoot);
        using (await proxy.Client.GetAsync(Tmdb.ProxyMoviePath))
        {
        }

        time.Advance(TimeSpan.FromMinutes(90));
        using var before = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        WriteOverrides(new { EnrichProxy = new { Policies = new Dictionary<string, object> { ["tmdb-movie"] = new { Ttl = "01:00:00" } } } });
        await AppliedAsync(proxy, 1);
        using var after = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);

        Assert.Equal("HIT", before.XCache());
        Assert.Equal("STALE", after.XCache());
    }

    [Fact]
    public async Task ANewRouteAndCluster_AnswerWithoutARestart_AndAnUpstreamKeyChangeAppliesToTheNextFill()
    {
        _tmdb.Json("/3/movie/1", Tmdb.Movie());
        _tmdb.Json("/3/movie/2", Tmdb.Movie());
        _extra.Json("/things/7", """{"id":7}""");
        WriteOverrides(new { EnrichProxy = new { Upstreams = new { tmdb = new { ApiKey = "first-tmdb-key-0123456789" } } } });
        await using var proxy = await StartAsync(Settings(), contentRoot: _contentRoot);
        using var beforeRoute = await proxy.Client.GetAsync("/extra/things/7");
        using (await proxy.Client.GetAsync("/tmdb/3/movie/1"))
        {
        }

        WriteOverrides(new
        {
            // The new cluster's upstream settings in the same edit as the cluster.
            EnrichProxy = new { Upstreams = new { tmdb = new { ApiKey = "second-tmdb-key-0123456789" }, extra = new { UserAgent = "EnrichProxy-live-test" } } },
            ReverseProxy = new
            {
                Routes = new { extra = new { ClusterId = "extra", Match = new { Path = "/extra/{**rest}" }, Metadata = new { CachePolicy = "search" }, Transforms = new[] { new { PathRemovePrefix = "/extra" } } } },
                Clusters = new { extra = new { Destinations = new { @default = new { Address = _extra.Url } } } },
            },
        });
        await AppliedAsync(proxy, 1);
        using var afterRoute = await RouteAnswersAsync(proxy, "/extra/things/7");
        using var secondFill = await proxy.Client.GetAsync("/tmdb/3/movie/2");

        Assert.Equal(HttpStatusCode.NotFound, beforeRoute.StatusCode);
        Assert.Equal(HttpStatusCode.OK, afterRoute.StatusCode);
        Assert.Equal("MISS", afterRoute.XCache());
        Assert.Equal("EnrichProxy-live-test", _extra.Received("/things/7").Single().RequestMessage.Headers!["User-Agent"].Single());
        Assert.DoesNotContain(proxy.Logs.Lines, line => line.Contains("[ConfigurationReloadFailed]", StringComparison.Ordinal));
        Assert.Equal("first-tmdb-key-0123456789", _tmdb.Received("/3/movie/1").Single().RequestMessage.Query!["api_key"].Single());
        Assert.Equal("second-tmdb-key-0123456789", _tmdb.Received("/3/movie/2").Single().RequestMessage.Query!["api_key"].Single());
        Assert.DoesNotContain("second-tmdb-key", proxy.Logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABrokenEdit_IsRefusedWhole_WithEveryErrorShown_AndTheRunningConfigurationStays()
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie());
        _extra.Json("/things/7", """{"id":7}""");
        WriteOverrides(new { });
        await using var proxy = await StartAsync(Settings(), contentRoot: _contentRoot);

        // A good new route beside two broken settings: nothing of it applies.
        WriteOverrides(new
        {
            EnrichProxy = new { Policies = new Dictionary<string, object> { ["tmdb-movie"] = new { Ttl = "-01:00:00" } } },
            ReverseProxy = new
            {
                Routes = new
                {
                    extra = new { ClusterId = "extra", Match = new { Path = "/extra/{**rest}" }, Transforms = new[] { new { PathRemovePrefix = "/extra" } } },
                    broken = new { ClusterId = "extra", Match = new { Path = "/broken/{**rest}" }, Metadata = new { CachePolicy = "no-such-policy" } },
                },
                Clusters = new { extra = new { Destinations = new { @default = new { Address = _extra.Url } } } },
            },
        });
        var check = await LastCheckAsync(proxy, c => c.GetProperty("accepted").GetBoolean() == false);
        using var refusedRoute = await proxy.Client.GetAsync("/extra/things/7");
        using var movie = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        var errors = check.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToList();

        Assert.Contains(errors, e => e.Contains("EnrichProxy:Policies:tmdb-movie:Ttl must be greater than 0", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("unknown policy 'no-such-policy'", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.NotFound, refusedRoute.StatusCode);
        Assert.Equal(HttpStatusCode.OK, movie.StatusCode);
        Assert.Contains(proxy.Logs.Lines, line => line.Contains("[ConfigurationRefused]", StringComparison.Ordinal) && line.Contains("no-such-policy", StringComparison.Ordinal));

        // Fixed: applied.
        WriteOverrides(new
        {
            ReverseProxy = new
            {
                Routes = new { extra = new { ClusterId = "extra", Match = new { Path = "/extra/{**rest}" }, Transforms = new[] { new { PathRemovePrefix = "/extra" } } } },
                Clusters = new { extra = new { Destinations = new { @default = new { Address = _extra.Url } } } },
            },
        });
        await LastCheckAsync(proxy, c => c.GetProperty("accepted").GetBoolean());
        using var appliedRoute = await RouteAnswersAsync(proxy, "/extra/things/7");
        Assert.Equal(HttpStatusCode.OK, appliedRoute.StatusCode);
    }

    [Fact]
    public async Task AFileThatIsNotJson_IsRefusedWithItsLine_NothingOfTheOtherFilesIsTakenMeanwhile_AndFixingItApplies()
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie());
        WriteOverrides(new { EnrichProxy = new { Policies = new Dictionary<string, object> { ["tmdb-movie"] = new { Ttl = "1.00:00:00" } } } });
        await using var proxy = await StartAsync(Settings(), contentRoot: _contentRoot);

        // Half saved: its reader drops it, and the rest without it must not be taken for what is meant.
        File.WriteAllText(Path.Combine(_contentRoot, "appsettings.json"), "{ \"EnrichProxy\": { \"Policies\": ");
        var refused = await LastCheckAsync(proxy, c => !c.GetProperty("accepted").GetBoolean());
        using var movie = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        WriteOverrides(new { EnrichProxy = new { Policies = new Dictionary<string, object> { ["tmdb-movie"] = new { Ttl = "1.00:00:00" } } } });
        var cleared = await LastCheckAsync(proxy, c => c.GetProperty("accepted").GetBoolean());

        Assert.Contains("appsettings.json is not valid JSON (line 1", refused.GetProperty("errors")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, movie.StatusCode);
        Assert.Equal(0, cleared.GetProperty("errors").GetArrayLength());
        Assert.DoesNotContain(proxy.Logs.Lines, line => line.Contains("[ConfigurationApplied]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ASettingReadAtStartOnly_IsNamedAsWaitingForARestart()
    {
        WriteOverrides(new { });
        await using var proxy = await StartAsync(Settings(), contentRoot: _contentRoot);

        WriteOverrides(new { EnrichProxy = new { Queue = new { Workers = 2 }, Policies = new Dictionary<string, object> { ["search"] = new { Ttl = "00:05:00" } } } });
        var check = await LastCheckAsync(proxy, c => c.GetProperty("accepted").GetBoolean());

        Assert.Equal(["EnrichProxy:Queue:Workers"], check.GetProperty("needsRestart").EnumerateArray().Select(k => k.GetString()));
        Assert.Contains(proxy.Logs.Lines, line => line.Contains("[ConfigurationNeedsRestart]", StringComparison.Ordinal) && line.Contains("EnrichProxy:Queue:Workers", StringComparison.Ordinal));

        // A later live change does not hide it; putting it back as it was does.
        WriteOverrides(new { EnrichProxy = new { Queue = new { Workers = 2 }, Policies = new Dictionary<string, object> { ["search"] = new { Ttl = "00:06:00" } } } });
        var later = await LastCheckAsync(proxy, c => c.GetProperty("at").GetDateTimeOffset() > check.GetProperty("at").GetDateTimeOffset());
        WriteOverrides(new { EnrichProxy = new { Policies = new Dictionary<string, object> { ["search"] = new { Ttl = "00:06:00" } } } });
        var reverted = await LastCheckAsync(proxy, c => c.GetProperty("at").GetDateTimeOffset() > later.GetProperty("at").GetDateTimeOffset());
        Assert.Equal(["EnrichProxy:Queue:Workers"], later.GetProperty("needsRestart").EnumerateArray().Select(k => k.GetString()));
        Assert.Equal(0, reverted.GetProperty("needsRestart").GetArrayLength());
    }

    [Fact]
    public async Task AFileWithAByteOrderMark_IsRead_AndOneWithAKeyTwice_IsRefused()
    {
        WriteOverrides(new { });
        await using var proxy = await StartAsync(Settings(), contentRoot: _contentRoot);
        var file = Path.Combine(_contentRoot, "appsettings.json");

        File.WriteAllText(file, """{ "EnrichProxy": { "Policies": { "search": { "Ttl": "00:07:00" } } } }""", new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        var withBom = await LastCheckAsync(proxy, c => c.GetProperty("accepted").GetBoolean());
        File.WriteAllText(file, """{ "EnrichProxy": { "Policies": { "search": { "Ttl": "00:08:00", "ttl": "00:09:00" } } } }""");
        var twice = await LastCheckAsync(proxy, c => !c.GetProperty("accepted").GetBoolean());

        Assert.Equal(0, withBom.GetProperty("errors").GetArrayLength());
        Assert.Contains("has a key twice", twice.GetProperty("errors")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARotatedAdminKey_AppliesWithoutARestart()
    {
        const string OldKey = "old-admin-key-0123456789";
        const string NewKey = "new-admin-key-0123456789";
        WriteOverrides(new { EnrichProxy = new { Admin = new { ApiKey = OldKey } } });
        await using var proxy = await StartAsync(ProxyHost.Settings(Destination("tmdb", _tmdb.Url)), contentRoot: _contentRoot);
        using var before = await proxy.StatsAsync(OldKey);

        WriteOverrides(new { EnrichProxy = new { Admin = new { ApiKey = NewKey } } });
        await AppliedAsync(proxy, 1);
        using var oldKey = await proxy.StatsAsync(OldKey);
        using var newKey = await proxy.StatsAsync(NewKey);

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, oldKey.StatusCode);
        Assert.Equal(HttpStatusCode.OK, newKey.StatusCode);
        Assert.DoesNotContain(NewKey, proxy.Logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoKeyChangesInARow_EachReachesTheUpstream()
    {
        for (var id = 1; id <= 3; id++)
        {
            _tmdb.Json($"/3/movie/{id}", Tmdb.Movie());
        }

        WriteOverrides(new { EnrichProxy = new { Upstreams = new { tmdb = new { ApiKey = "first-tmdb-key-0123456789" } } } });
        await using var proxy = await StartAsync(Settings(), contentRoot: _contentRoot);
        using (await proxy.Client.GetAsync("/tmdb/3/movie/1"))
        {
        }

        WriteOverrides(new { EnrichProxy = new { Upstreams = new { tmdb = new { ApiKey = "second-tmdb-key-0123456789" } } } });
        await AppliedAsync(proxy, 1);
        using (await proxy.Client.GetAsync("/tmdb/3/movie/2"))
        {
        }

        WriteOverrides(new { EnrichProxy = new { Upstreams = new { tmdb = new { ApiKey = "third-tmdb-key-0123456789" } } } });
        await AppliedAsync(proxy, 2);
        using (await proxy.Client.GetAsync("/tmdb/3/movie/3"))
        {
        }

        Assert.Equal("first-tmdb-key-0123456789", _tmdb.Received("/3/movie/1").Single().RequestMessage.Query!["api_key"].Single());
        Assert.Equal("second-tmdb-key-0123456789", _tmdb.Received("/3/movie/2").Single().RequestMessage.Query!["api_key"].Single());
        Assert.Equal("third-tmdb-key-0123456789", _tmdb.Received("/3/movie/3").Single().RequestMessage.Query!["api_key"].Single());
    }

    public void Dispose()
    {
        _tmdb.Dispose();
        _extra.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_contentRoot, recursive: true);
    }

    private void WriteOverrides(object settings) =>
        File.WriteAllText(Path.Combine(_contentRoot, "appsettings.json"), JsonSerializer.Serialize(settings));

    private static async Task AppliedAsync(ProxyHost proxy, int times)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (proxy.Logs.Lines.Count(line => line.Contains("[ConfigurationApplied]", StringComparison.Ordinal)) < times)
        {
            Assert.True(DateTime.UtcNow < deadline, "The change was not applied: " + proxy.Logs.AllText);
            await Task.Delay(50);
        }
    }

    // YARP applies the routes it is handed a moment later, on its own.
    private static async Task<HttpResponseMessage> RouteAnswersAsync(ProxyHost proxy, string path)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var response = await proxy.Client.GetAsync(path);
            if (response.StatusCode != HttpStatusCode.NotFound || DateTime.UtcNow > deadline)
            {
                return response;
            }

            response.Dispose();
            await Task.Delay(50);
        }
    }

    private static async Task<JsonElement> LastCheckAsync(ProxyHost proxy, Func<JsonElement, bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            using var response = await proxy.StatsAsync();
            var check = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("configuration").GetProperty("lastCheck");
            if (check.ValueKind == JsonValueKind.Object && condition(check))
            {
                return check;
            }

            Assert.True(DateTime.UtcNow < deadline, "No such check: " + check);
            await Task.Delay(50);
        }
    }

    private Dictionary<string, string> Settings() => ProxyHost.Settings(Destination("tmdb", _tmdb.Url), AdminClient.Enabled);
}

using System.Diagnostics;
using System.Net;
using EnrichProxy.IntegrationTests.Fixtures;
using EnrichProxy.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using static EnrichProxy.IntegrationTests.Infrastructure.ProxyHost;

namespace EnrichProxy.IntegrationTests.Warmup;

/// <summary>The warm-up over a fake Radarr library and a fake TMDb.</summary>
public sealed class WarmupTests : IDisposable
{
    private const string TmdbKey = "tmdb-key-for-warmup-01234567";
    private const string RadarrKey = "radarr-key-for-warmup-0123456";
    private readonly FakeUpstream _tmdb = new();
    private readonly FakeUpstream _radarr = new();

    [Fact]
    public async Task AtStart_EveryMovieOfTheLibraryIsQueued_AndItsDocumentCached()
    {
        var library = Enumerable.Range(1001, 30).ToArray();
        Serve(library);
        await using var proxy = await StartAsync(Settings());

        var warmup = await WaitForWarmupAsync(proxy, library.Length, TimeSpan.FromSeconds(60));

        Assert.Equal(library.Length, warmup.GetProperty("done").GetInt64());
        Assert.Equal(library.Length, warmup.GetProperty("results").GetProperty("stored").GetInt64());
        Assert.All(library, id => Assert.Single(_tmdb.Received($"/3/movie/{id}")));
        using var document = await DocumentAsync(proxy, "/api/v1/movies/1005");
        Assert.Equal(HttpStatusCode.OK, document.StatusCode);
        Assert.Equal("cache", document.Headers.GetValues("X-EnrichProxy-Source").Single());
        Assert.Contains(proxy.Logs.Lines, line => line.Contains("[WarmupStarted] Warm-up started: 30 items queued (30 movies from radarr)", StringComparison.Ordinal));
        Assert.Contains(proxy.Logs.Lines, line => line.Contains("[WarmupFinished] Warm-up finished: 30 items", StringComparison.Ordinal));
        var scrape = await proxy.ScrapeAsync("enrichproxy_warmup_done");
        Assert.Equal(30, PrometheusText.Value(scrape, "enrichproxy_warmup_items"));
        Assert.Equal(30, PrometheusText.Value(scrape, "enrichproxy_warmup_done"));
        Assert.Equal(30, PrometheusText.Value(scrape, "enrichproxy_queue_jobs_total", ("kind", "warmup"), ("result", "stored")));
        Assert.Equal(30, PrometheusText.Value(scrape, "enrichproxy_queue_wait_seconds_count", ("kind", "warmup")));
        Assert.Equal(30, PrometheusText.Value(scrape, "enrichproxy_queue_job_duration_seconds_count", ("kind", "warmup")));
    }

    [Fact]
    public async Task OnSchedule_TheNextRoundReadsTheLibraryAsItIsThen()
    {
        Serve([1001, 1002, 1003]);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var proxy = await StartAsync(Settings(("EnrichProxy:Warmup:Interval", "06:00:00")), time);
        await WaitForWarmupAsync(proxy, 3, TimeSpan.FromSeconds(60));

        _radarr.Server.ResetMappings();
        Serve([1001, 1002, 1003, 1004]);
        time.Advance(TimeSpan.FromHours(6));
        var second = await WaitForWarmupAsync(proxy, 4, TimeSpan.FromSeconds(60));

        Assert.Equal(4, second.GetProperty("done").GetInt64());
        Assert.Single(_tmdb.Received("/3/movie/1004"));
        Assert.Equal(2, proxy.Logs.Lines.Count(line => line.Contains("[WarmupStarted]", StringComparison.Ordinal)));
        using var document = await DocumentAsync(proxy, "/api/v1/movies/1004");
        Assert.Equal("cache", document.Headers.GetValues("X-EnrichProxy-Source").Single());
    }

    [Fact]
    public async Task ClientRequests_KeepTheirLatency_WhileALargeWarmupRunsAgainstARateLimitedUpstream()
    {
        var library = Enumerable.Range(1001, 200).ToArray();
        // Fewer than the burst less the one permit the warm-up may have just taken from the full bucket: asked in a row
        // faster than the bucket refills (one permit per 50 ms), ten would find it empty by the tenth, warm-up or not.
        var clientMovies = Enumerable.Range(9001, 8).ToArray();
        Serve(library);
        foreach (var id in clientMovies)
        {
            _tmdb.Json($"/3/movie/{id}", Tmdb.MovieWithCredits(id, $"Movie {id}"));
        }

        const int Rate = 20;
        const int Burst = 10;
        await using var proxy = await StartAsync(Settings(
            ("EnrichProxy:Upstreams:tmdb:RateLimit:PermitsPerSecond", $"{Rate}"),
            ("EnrichProxy:Upstreams:tmdb:RateLimit:Burst", $"{Burst}")));
        await WaitForWarmupDoneAsync(proxy, atLeast: 10);

        var latencies = new List<TimeSpan>();
        foreach (var id in clientMovies)
        {
            var clock = Stopwatch.StartNew();
            using var answer = await proxy.Client.GetAsync($"/tmdb/3/movie/{id}");
            latencies.Add(clock.Elapsed);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            Assert.Equal("MISS", answer.XCache());
        }

        var during = (await QueueStats.ReadAsync(proxy)).GetProperty("warmup");
        Assert.True(during.GetProperty("done").GetInt64() < library.Length, "the warm-up was still running while the client asked");

        // No client request waited for a permit: the warm-up takes only what a full bucket can spare.
        var scrape = await proxy.ScrapeAsync("enrichproxy_upstream_rate_limit_waits_total");
        Assert.Equal(0, PrometheusText.Value(scrape, "enrichproxy_upstream_rate_limit_waits_total", ("cluster", "tmdb")));
        Assert.All(latencies, latency => Assert.True(latency < TimeSpan.FromSeconds(2), $"a client request took {latency}"));

        await WaitForWarmupAsync(proxy, library.Length, TimeSpan.FromSeconds(90));
        var sent = _tmdb.Server.LogEntries.Select(entry => entry.RequestMessage.DateTime).Order().ToList();
        var span = (sent[^1] - sent[0]).TotalSeconds;
        Assert.Equal(library.Length + clientMovies.Length, sent.Count);
        Assert.True(sent.Count <= Burst + (Rate * (span + 1)), $"{sent.Count} requests in {span:F1} s exceed {Rate}/s with a burst of {Burst}");
    }

    [Fact]
    public async Task ALibraryThatCannotBeRead_IsLoggedAndLeavesNothingQueued()
    {
        _radarr.Json(Radarr.MoviePath, """{"message":"database is locked"}""", status: 500);
        await using var proxy = await StartAsync(Settings());

        await WaitForLogAsync(proxy, "[WarmupListingFailed] Warm-up could not read the library of radarr (status 500)");

        var queue = await QueueStats.ReadAsync(proxy);
        Assert.Equal(0, queue.GetProperty("warmup").GetProperty("items").GetInt64());
        Assert.Equal("radarr library not read: status 500", queue.GetProperty("warmup").GetProperty("lastFailure").GetProperty("what").GetString());
        Assert.Empty(_tmdb.Server.LogEntries);
    }

    [Fact]
    public async Task WarmupNow_StartsTheNextRoundBeforeItsInterval_AndRefusesWhileOneRuns()
    {
        Serve([1001, 1002]);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var proxy = await StartAsync(Settings(("EnrichProxy:Warmup:Interval", "06:00:00")), time);
        await WaitForWarmupAsync(proxy, 2, TimeSpan.FromSeconds(60));
        _radarr.Server.ResetMappings();
        Serve([1001, 1002, 1003]);

        using var started = await proxy.PostAdminAsync("/admin/warmup");
        var second = await WaitForWarmupAsync(proxy, 3, TimeSpan.FromSeconds(60));
        using var readOnly = await proxy.PostAdminAsync("/admin/warmup", key: null);

        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        Assert.Equal(3, second.GetProperty("done").GetInt64());
        Assert.Single(_tmdb.Received("/3/movie/1003"));
        Assert.Equal(HttpStatusCode.Unauthorized, readOnly.StatusCode);
    }

    [Fact]
    public async Task WarmupNow_WhenTheWarmupIsOff_IsAConflict()
    {
        await using var proxy = await StartAsync(Settings(("EnrichProxy:Warmup:Enabled", "false")));

        using var response = await proxy.PostAdminAsync("/admin/warmup");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task RefreshOneItem_PurgesItsDocumentAndTheReadsItIsMadeOf_AndReadsThemAgain()
    {
        Serve([1001, 1002]);
        await using var proxy = await StartAsync(Settings(("EnrichProxy:Warmup:Enabled", "false")));
        using (await DocumentAsync(proxy, "/api/v1/movies/1001"))
        {
        }

        // Renamed in Radarr since; the document is made of the library read (the title) and TMDb's answer.
        _radarr.Json(Radarr.MoviePath, Radarr.LibraryMovie(1001, "Movie 1001, corrected"));
        using var refreshed = await proxy.PostAdminAsync("/admin/refresh", new { kind = "movies", id = "1001" });
        using var document = await DocumentAsync(proxy, "/api/v1/movies/1001");
        using var unknownKind = await proxy.PostAdminAsync("/admin/refresh", new { kind = "books", id = "1" });
        using var badId = await proxy.PostAdminAsync("/admin/refresh", new { kind = "movies", id = "-3" });

        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var result = System.Text.Json.JsonDocument.Parse(await refreshed.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("movies/1001", result.GetProperty("item").GetString());
        Assert.Equal("stored", result.GetProperty("result").GetString());
        Assert.True(result.GetProperty("purged").EnumerateArray().Any(p => p.GetString() == "url /tmdb/3/movie/1001?append_to_response=credits%2Cimages"), result.ToString());
        Assert.Equal(2, _tmdb.Received("/3/movie/1001").Count);
        Assert.Equal(2, _radarr.Received(Radarr.MoviePath).Count);
        Assert.Equal("cache", document.Headers.GetValues("X-EnrichProxy-Source").Single());
        Assert.Contains("Movie 1001, corrected", await document.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(_tmdb.Received("/3/movie/1002"));
        Assert.Equal(HttpStatusCode.BadRequest, unknownKind.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badId.StatusCode);
    }

    public void Dispose()
    {
        _tmdb.Dispose();
        _radarr.Dispose();
    }

    private void Serve(IReadOnlyCollection<int> tmdbIds)
    {
        // Radarr answers the whole library whatever the query; the chain picks the movie it asked for.
        _radarr.Json(Radarr.MoviePath, Radarr.Library(tmdbIds));
        foreach (var id in tmdbIds)
        {
            _tmdb.Json($"/3/movie/{id}", Tmdb.MovieWithCredits(id, $"Movie {id}"));
        }
    }

    private static async Task<System.Text.Json.JsonElement> WaitForWarmupAsync(ProxyHost proxy, int items, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var warmup = (await QueueStats.ReadAsync(proxy)).GetProperty("warmup");
            if (warmup.GetProperty("items").GetInt64() == items && warmup.GetProperty("finishedAt").ValueKind != System.Text.Json.JsonValueKind.Null)
            {
                return warmup;
            }

            Assert.True(DateTime.UtcNow < deadline, $"The warm-up did not finish: {warmup}");
            await Task.Delay(100);
        }
    }

    private static async Task WaitForWarmupDoneAsync(ProxyHost proxy, int atLeast)
    {
        for (var i = 0; i < 600; i++)
        {
            if ((await QueueStats.ReadAsync(proxy)).GetProperty("warmup").GetProperty("done").GetInt64() >= atLeast)
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"The warm-up did not get {atLeast} items done.");
    }

    private static async Task WaitForLogAsync(ProxyHost proxy, string text)
    {
        for (var i = 0; i < 600 && !proxy.Logs.Lines.Any(line => line.Contains(text, StringComparison.Ordinal)); i++)
        {
            await Task.Delay(50);
        }

        Assert.Contains(proxy.Logs.Lines, line => line.Contains(text, StringComparison.Ordinal));
    }

    private Dictionary<string, string> Settings(params (string Key, string Value)[] extra) => ProxyHost.Settings(
        [
            Destination("tmdb", _tmdb.Url),
            Destination("radarr", _radarr.Url),
            ("EnrichProxy:Upstreams:tmdb:ApiKey", TmdbKey),
            ("EnrichProxy:Upstreams:radarr:ApiKey", RadarrKey),
            ("EnrichProxy:Upstreams:radarr:RateLimit:PermitsPerSecond", "500"),
            ("EnrichProxy:Upstreams:radarr:RateLimit:Burst", "500"),
            ("EnrichProxy:Warmup:Enabled", "true"),
            AdminClient.Enabled,
            .. extra,
        ]);

    // As the warm-up built it: the library's view, for a holder of the Arr key.
    private static Task<HttpResponseMessage> DocumentAsync(ProxyHost proxy, string path) => proxy.GetWithApiKeyAsync(path, RadarrKey);
}

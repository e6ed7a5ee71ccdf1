using System.Net;
using System.Text.Json;
using EnrichProxy.IntegrationTests.Fixtures;
using EnrichProxy.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using static EnrichProxy.IntegrationTests.Infrastructure.ProxyHost;

namespace EnrichProxy.IntegrationTests.Upstreams;

/// <summary>
/// Every upstream request goes through its cluster's pipeline: rate limit, pause, retries, breaker.
/// Pauses, breaker and back-offs follow the injected clock; the rate limit's bucket refills on the
/// real one (.NET's limiters read it), so rate tests bound the upstream's rate from above.
/// </summary>
public sealed class ResilienceTests : IDisposable
{
    private const string Tmdb = "EnrichProxy:Upstreams:tmdb";
    private readonly FakeUpstream _tmdb = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task RateLimit_AConcurrentBurstOfDistinctKeys_NeverGoesPastTheRate()
    {
        _tmdb.Server.Given(Request.Create().WithPath("/3/movie/*")).RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(new { id = 1 }));
        await using var proxy = await StartAsync(Settings(($"{Tmdb}:RateLimit:PermitsPerSecond", "5"), ($"{Tmdb}:RateLimit:Burst", "2"), AdminClient.Enabled));
        // Warm the fill path and a connection first, so that arrival times at the upstream follow the permits.
        await proxy.Client.GetAsync("/tmdb/3/movie/100");
        await Task.Delay(TimeSpan.FromSeconds(1));
        _tmdb.Server.ResetLogEntries();

        var responses = await Task.WhenAll(Enumerable.Range(1, 12).Select(id => proxy.Client.GetAsync($"/tmdb/3/movie/{id}")));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var received = _tmdb.Server.LogEntries.Select(e => e.RequestMessage.DateTime).Order().ToList();
        Assert.Equal(12, received.Count);
        foreach (var at in received)
        {
            // The burst, then 5 a second: one more where a refill falls just after the burst, and 50 ms
            // for arrival times at the upstream to stray from the moments the permits were given.
            var elapsed = (at - received[0]).TotalSeconds;
            Assert.True(received.Count(t => t <= at) <= 2 + (int)Math.Floor((elapsed + 0.05) * 5) + 1, $"{received.Count(t => t <= at)} requests within {elapsed:0.000} s: {string.Join(", ", received.Select(t => (t - received[0]).TotalMilliseconds))}");
        }

        Assert.True((received[^1] - received[0]).TotalSeconds >= 1.5, "10 requests past the burst of 2 take at least 1.8 s at 5 a second");
        using var stats = await proxy.StatsAsync();
        var waits = System.Text.Json.JsonDocument.Parse(await stats.Content.ReadAsStringAsync()).RootElement
            .GetProperty("upstreams").GetProperty("tmdb").GetProperty("rateLimitWaits").GetInt64();
        Assert.InRange(waits, 8, 12);
    }

    [Fact]
    public async Task RateLimit_PastTheWait_AnswersStaleElseA503WithRetryAfter_WhileHitsNeverWait()
    {
        _tmdb.Json(Fixtures.Tmdb.MoviePath, Fixtures.Tmdb.Movie());
        await using var proxy = await StartAsync(Settings(
            ($"{Tmdb}:RateLimit:PermitsPerSecond", "0.01"),
            ($"{Tmdb}:RateLimit:Burst", "1"),
            ($"{Tmdb}:RateLimit:MaxWait", "00:00:01"),
            Policy("tmdb-movie", "Ttl", TimeSpan.FromSeconds(1)),
            Policy("tmdb-movie", "StaleWhileRevalidate", TimeSpan.Zero),
            Policy("tmdb-movie", "StaleIfError", TimeSpan.FromHours(1))));

        using var miss = await proxy.Client.GetAsync(Fixtures.Tmdb.ProxyMoviePath);
        using var hit = await proxy.Client.GetAsync(Fixtures.Tmdb.ProxyMoviePath);
        using var refused = await proxy.Client.GetAsync("/tmdb/3/movie/604");
        await Task.Delay(TimeSpan.FromSeconds(1.2)); // past the 1 s TTL (FusionCache keeps its own clock)
        using var stale = await proxy.Client.GetAsync(Fixtures.Tmdb.ProxyMoviePath);

        Assert.Equal(["MISS", "HIT"], new[] { miss.XCache(), hit.XCache() });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Contains("rate limit", await refused.BodyAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.Equal("STALE", stale.XCache());
        Assert.Single(_tmdb.Server.LogEntries);
    }

    [Fact]
    public async Task Pause_AfterA429WithRetryAfter_NothingIsSentUntilItEnds()
    {
        _tmdb.Json("/3/movie/1", """{"status_code":25,"status_message":"Your request count is over the allowed limit."}""", status: 429, headers: ("Retry-After", "10"));
        _tmdb.Json("/3/movie/2", Fixtures.Tmdb.Movie());
        await using var proxy = await StartAsync(Settings(AdminClient.Enabled), _time);

        using var limited = await proxy.Client.GetAsync("/tmdb/3/movie/1");
        using var paused = await proxy.Client.GetAsync("/tmdb/3/movie/2");
        var metrics = await proxy.ScrapeAsync("""enrichproxy_upstream_refused_total{otel_scope_name="EnrichProxy",cluster="tmdb",reason="paused"}""");
        using var stats = await proxy.StatsAsync();
        var tmdb = System.Text.Json.JsonDocument.Parse(await stats.Content.ReadAsStringAsync()).RootElement.GetProperty("upstreams").GetProperty("tmdb");
        _time.Advance(TimeSpan.FromSeconds(10));
        using var resumed = await proxy.Client.GetAsync("/tmdb/3/movie/2");

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, paused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(10), paused.Headers.RetryAfter?.Delta);
        Assert.Contains("""enrichproxy_upstream_paused{otel_scope_name="EnrichProxy",cluster="tmdb"} 1""", metrics, StringComparison.Ordinal);
        Assert.Contains("""enrichproxy_upstream_refused_total{otel_scope_name="EnrichProxy",cluster="tmdb",reason="paused"} 1""", metrics, StringComparison.Ordinal);
        Assert.Equal("answered 429 with Retry-After", tmdb.GetProperty("pauseReason").GetString());
        Assert.Equal(10, tmdb.GetProperty("pausedForSeconds").GetDouble());
        Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
        Assert.Single(_tmdb.Received("/3/movie/2"));
    }

    [Fact]
    public async Task Pause_OfASecondOrLess_IsWaitedOutInsteadOfRefused()
    {
        var reset = _time.GetUtcNow().AddSeconds(1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        _tmdb.Json("/3/movie/1", Fixtures.Tmdb.Movie(), headers: [("X-RateLimit-Remaining", "0"), ("X-RateLimit-Reset", reset)]);
        _tmdb.Json("/3/movie/2", Fixtures.Tmdb.Movie());
        await using var proxy = await StartAsync(Settings(), _time);

        using var last = await proxy.Client.GetAsync("/tmdb/3/movie/1");
        var waiting = proxy.Client.GetAsync("/tmdb/3/movie/2");
        await Task.Delay(200);
        Assert.False(waiting.IsCompleted);
        Assert.Empty(_tmdb.Received("/3/movie/2"));

        using var afterTheReset = await AnsweredAsync(waiting);

        Assert.Equal(HttpStatusCode.OK, last.StatusCode);
        Assert.Equal(HttpStatusCode.OK, afterTheReset.StatusCode);
        Assert.Single(_tmdb.Received("/3/movie/2"));
    }

    [Fact]
    public async Task Pause_AForwardedRequestInThePause_GetsA503WithRetryAfter()
    {
        _tmdb.Json("/3/account/1", "{}", status: 503, headers: ("Retry-After", "20"));
        await using var proxy = await StartAsync(Settings(), _time);

        using var unavailable = await proxy.Client.GetAsync("/tmdb/3/account/1");
        using var paused = await proxy.Client.PostAsync("/tmdb/3/account/1", new StringContent("{}"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, unavailable.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, paused.StatusCode);
        Assert.Equal("application/problem+json", paused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TimeSpan.FromSeconds(20), paused.Headers.RetryAfter?.Delta);
        Assert.Single(_tmdb.Server.LogEntries);
    }

    [Fact]
    public async Task AClientsOwnKey_RateLimitedOrFailing_PausesAndBreaksTheClusterForNoOneElse()
    {
        // Answers to the client's own key: its quota is spent, and its requests make the upstream fail.
        _tmdb.Json("/3/account/1", "{}", status: 429, headers: ("Retry-After", "60"));
        _tmdb.Json("/3/account/2", "{}", status: 500);
        _tmdb.Json(Fixtures.Tmdb.MoviePath, Fixtures.Tmdb.Movie());
        await using var proxy = await StartAsync(Settings(), _time);

        using var limited = await proxy.Client.GetAsync("/tmdb/3/account/1?api_key=client-own-key");
        for (var i = 0; i < 6; i++)
        {
            using var failing = await proxy.Client.GetAsync("/tmdb/3/account/2?api_key=client-own-key");
            Assert.Equal(HttpStatusCode.InternalServerError, failing.StatusCode);
        }

        using var everyoneElse = await proxy.Client.GetAsync(Fixtures.Tmdb.ProxyMoviePath);

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal(HttpStatusCode.OK, everyoneElse.StatusCode);
        Assert.Single(_tmdb.Received(Fixtures.Tmdb.MoviePath));
        Assert.Equal(6, _tmdb.Received("/3/account/2").Count);
    }

    [Fact]
    public async Task CircuitBreaker_OpensAfterFiveFailures_ShortCircuits_ThenAProbeClosesIt()
    {
        _tmdb.Server.Given(Request.Create().WithPath("/3/movie/*")).AtPriority(10).RespondWith(Response.Create().WithStatusCode(500).WithBody("{}"));
        await using var proxy = await StartAsync(Settings(), _time);

        for (var id = 1; id <= 5; id++)
        {
            using var failed = await proxy.Client.GetAsync($"/tmdb/3/movie/{id}");
            Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        }

        using var shortCircuited = await proxy.Client.GetAsync("/tmdb/3/movie/6");
        var openMetrics = await proxy.ScrapeAsync("""enrichproxy_upstream_circuit_state{otel_scope_name="EnrichProxy",cluster="tmdb"} 1""");
        using var ready = await proxy.Client.GetAsync("/health/ready");
        using var report = JsonDocument.Parse(await ready.BodyAsync());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, shortCircuited.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(30), shortCircuited.Headers.RetryAfter?.Delta);
        Assert.Equal(5, _tmdb.Server.LogEntries.Count);
        Assert.Contains("""enrichproxy_upstream_circuit_state{otel_scope_name="EnrichProxy",cluster="tmdb"} 1""", openMetrics, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Degraded", report.RootElement.GetProperty("status").GetString());
        Assert.Equal("open", report.RootElement.GetProperty("checks").GetProperty("upstreams").GetProperty("data").GetProperty("tmdb").GetString());

        // Past the break, one probe goes through; the upstream is back, so the circuit closes.
        _tmdb.Server.Given(Request.Create().WithPath("/3/movie/7")).AtPriority(1).RespondWith(Response.Create().WithStatusCode(200).WithBody("{}"));
        _time.Advance(TimeSpan.FromSeconds(30));
        using var probe = await proxy.Client.GetAsync("/tmdb/3/movie/7");
        var closedMetrics = await proxy.ScrapeAsync("""enrichproxy_upstream_circuit_state{otel_scope_name="EnrichProxy",cluster="tmdb"} 0""");

        Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
        Assert.Contains("""enrichproxy_upstream_circuit_state{otel_scope_name="EnrichProxy",cluster="tmdb"} 0""", closedMetrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retry_AGetIsRetriedOn5xxWithBackOff_APostIsNot()
    {
        var path = Fixtures.Tmdb.MoviePath;
        _tmdb.Server.Given(Request.Create().WithPath(path)).InScenario("flaky").WillSetStateTo("failed once")
            .RespondWith(Response.Create().WithStatusCode(502).WithBody("{}"));
        _tmdb.Server.Given(Request.Create().WithPath(path)).InScenario("flaky").WhenStateIs("failed once").WillSetStateTo("failed twice")
            .RespondWith(Response.Create().WithStatusCode(500).WithBody("{}"));
        _tmdb.Server.Given(Request.Create().WithPath(path)).InScenario("flaky").WhenStateIs("failed twice")
            .RespondWith(Response.Create().WithStatusCode(200).WithBody(Fixtures.Tmdb.Movie()));
        _tmdb.Json("/3/account/1", "{}", status: 500);
        await using var proxy = await StartAsync(Settings(($"{Tmdb}:Retry:MaxRetries", "2")), _time);

        using var answer = await AnsweredAsync(proxy.Client.GetAsync(Fixtures.Tmdb.ProxyMoviePath));
        using var post = await proxy.Client.PostAsync("/tmdb/3/account/1", new StringContent("{}"));

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal(3, _tmdb.Received(path).Count);
        Assert.Equal(HttpStatusCode.InternalServerError, post.StatusCode);
        Assert.Single(_tmdb.Received("/3/account/1"));
        var metrics = await proxy.ScrapeAsync("""enrichproxy_upstream_retries_total{otel_scope_name="EnrichProxy",cluster="tmdb"} 2""");
        Assert.Contains("""enrichproxy_upstream_retries_total{otel_scope_name="EnrichProxy",cluster="tmdb"} 2""", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retry_NotWhenAStaleAnswerStandsBy_TheFailureIsAnsweredStaleAtOnce()
    {
        _tmdb.Json(Fixtures.Tmdb.MoviePath, Fixtures.Tmdb.Movie());
        await using var proxy = await StartAsync(Settings(
            ($"{Tmdb}:Retry:MaxRetries", "3"),
            ($"{Tmdb}:Retry:BaseDelay", "00:00:10"),
            Policy("tmdb-movie", "Ttl", TimeSpan.FromSeconds(1)),
            Policy("tmdb-movie", "StaleWhileRevalidate", TimeSpan.Zero),
            Policy("tmdb-movie", "StaleIfError", TimeSpan.FromHours(1))));
        using var miss = await proxy.Client.GetAsync(Fixtures.Tmdb.ProxyMoviePath);
        _tmdb.Server.Reset();
        _tmdb.Json(Fixtures.Tmdb.MoviePath, "{}", status: 500);
        await Task.Delay(TimeSpan.FromSeconds(1.2)); // past the 1 s TTL (FusionCache keeps its own clock)

        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var stale = await proxy.Client.GetAsync(Fixtures.Tmdb.ProxyMoviePath);
        clock.Stop();

        Assert.Equal("STALE", stale.XCache());
        Assert.Single(_tmdb.Received(Fixtures.Tmdb.MoviePath));
        // A first retry would have waited about 10 s for its back-off.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"answered after {clock.Elapsed.TotalMilliseconds:0} ms");
        var metrics = await proxy.Client.GetStringAsync("/metrics");
        Assert.Contains("""enrichproxy_upstream_retries_total{otel_scope_name="EnrichProxy",cluster="tmdb"} 0""", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Outage_WithinStaleWhileRevalidate_StaleAnswersDoNotSendOrLogARefreshPerKey()
    {
        const int Keys = 20, ReadFirst = 12; // Keys past ReadFirst are first read once the circuit is open.
        _tmdb.Server.Given(Request.Create().WithPath("/3/movie/*")).AtPriority(10)
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody("""{"id":1}"""));
        await using var proxy = await StartAsync(Settings(
            AdminClient.Enabled,
            ("EnrichProxy:Queue:Workers", "1"), // Refreshes one after another: the sixth starts once five failures opened the circuit.
            ($"{Tmdb}:Retry:MaxRetries", "0"),
            Policy("tmdb-movie", "Ttl", TimeSpan.FromSeconds(1)),
            Policy("tmdb-movie", "StaleWhileRevalidate", TimeSpan.FromHours(1)),
            Policy("tmdb-movie", "StaleIfError", TimeSpan.FromHours(1))));
        for (var id = 1; id <= Keys; id++)
        {
            using var filled = await proxy.Client.GetAsync($"/tmdb/3/movie/{id}");
            Assert.Equal(HttpStatusCode.OK, filled.StatusCode);
        }

        _tmdb.Server.Reset();
        _tmdb.Server.Given(Request.Create().WithPath("/3/movie/*")).AtPriority(10).RespondWith(Response.Create().WithStatusCode(500).WithBody("{}"));
        await Task.Delay(TimeSpan.FromSeconds(1.2)); // past the 1 s TTL (FusionCache keeps its own clock)

        for (var id = 1; id <= ReadFirst; id++)
        {
            using var stale = await proxy.Client.GetAsync($"/tmdb/3/movie/{id}");
            Assert.Equal("STALE", stale.XCache());
        }

        // Five refreshes were answered 500 and opened the circuit; those queued behind them ended untried.
        var queue = await QueueStats.WaitUntilIdleAsync(proxy, q => QueueStats.Finished(q, "refresh", "not_stored") == 5);
        var skipped = QueueStats.Finished(queue, "refresh", "skipped");
        Assert.Contains("""enrichproxy_upstream_circuit_state{otel_scope_name="EnrichProxy",cluster="tmdb"} 1""",
            await proxy.ScrapeAsync("""enrichproxy_upstream_circuit_state{otel_scope_name="EnrichProxy",cluster="tmdb"} 1"""), StringComparison.Ordinal);

        for (var id = ReadFirst + 1; id <= Keys; id++)
        {
            using var stale = await proxy.Client.GetAsync($"/tmdb/3/movie/{id}");
            Assert.Equal("STALE", stale.XCache());
        }

        // Keys read with the circuit open queue nothing at all.
        queue = await QueueStats.WaitUntilIdleAsync(proxy, _ => true);
        Assert.Equal(skipped, QueueStats.Finished(queue, "refresh", "skipped"));
        Assert.Equal(5, QueueStats.Finished(queue, "refresh", "not_stored"));
        Assert.Equal(0, QueueStats.Finished(queue, "refresh", "failed"));
        Assert.Equal(5, _tmdb.Server.LogEntries.Count);
        Assert.DoesNotContain(proxy.Logs.Lines, line => line.Contains("[RefreshFailed]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Retry_ARefusedConnectionIsRetriedThenGivesA502()
    {
        var nowhere = $"http://127.0.0.1:{RedisServer.FreePort()}/";
        await using var proxy = await StartAsync(Settings(Destination("tmdb", nowhere), ($"{Tmdb}:Retry:MaxRetries", "2")), _time);

        using var answer = await AnsweredAsync(proxy.Client.GetAsync(Fixtures.Tmdb.ProxyMoviePath));
        Assert.Equal(HttpStatusCode.BadGateway, answer.StatusCode);
        var metrics = await proxy.ScrapeAsync("""enrichproxy_upstream_retries_total{otel_scope_name="EnrichProxy",cluster="tmdb"} 2""");
        Assert.Contains("""enrichproxy_upstream_retries_total{otel_scope_name="EnrichProxy",cluster="tmdb"} 2""", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AttemptTimeout_EndsASlowAttemptWithA504WhenNothingIsCached()
    {
        _tmdb.Json(Fixtures.Tmdb.MoviePath, Fixtures.Tmdb.Movie(), delay: TimeSpan.FromSeconds(5));
        await using var proxy = await StartAsync(Settings(($"{Tmdb}:Timeouts:Attempt", "00:00:02")), _time);

        using var answer = await AnsweredAsync(proxy.Client.GetAsync(Fixtures.Tmdb.ProxyMoviePath));
        Assert.Equal(HttpStatusCode.GatewayTimeout, answer.StatusCode);
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Retry_StopsWhenTheClientHasLeft()
    {
        _tmdb.Json("/3/account/1", "{}", status: 500);
        await using var proxy = await StartAsync(Settings(($"{Tmdb}:Retry:MaxRetries", "2"), ($"{Tmdb}:Retry:BaseDelay", "00:00:10")), _time);
        using var leaving = new CancellationTokenSource();

        var request = proxy.Client.GetAsync("/tmdb/3/account/1", leaving.Token);
        await _tmdb.WaitForAsync("/3/account/1", 1);
        await leaving.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request);
        // Give the server a moment to see the connection close before the back-off's clock moves on.
        await Task.Delay(TimeSpan.FromSeconds(1));
        _time.Advance(TimeSpan.FromMinutes(1));
        await Task.Delay(200);

        Assert.Single(_tmdb.Received("/3/account/1"));
    }

    public void Dispose() => _tmdb.Dispose();

    // Back-offs and timeouts wait on the injected clock: move it until the answer comes.
    private async Task<HttpResponseMessage> AnsweredAsync(Task<HttpResponseMessage> request)
    {
        for (var i = 0; i < 200 && !request.IsCompleted; i++)
        {
            await Task.Delay(20);
            _time.Advance(TimeSpan.FromMilliseconds(200));
        }

        return await request;
    }

    // Retries off unless a test turns them on, so one failure is one upstream request.
    private Dictionary<string, string> Settings(params (string Key, string Value)[] extra) => ProxyHost.Settings(
        [Destination("tmdb", _tmdb.Url), ("EnrichProxy:Upstreams:tmdb:ApiKey", "proxy-tmdb-key-0123456789"), ($"{Tmdb}:Retry:MaxRetries", "0"), .. extra]);
}

using System.Diagnostics;
using System.Net;
using EnrichProxy.IntegrationTests.Fixtures;
using EnrichProxy.IntegrationTests.Infrastructure;
using static EnrichProxy.IntegrationTests.Infrastructure.ProxyHost;

namespace EnrichProxy.IntegrationTests.Caching;

/// <summary>
/// Redis failing under a running proxy, each test on a redis-server of its own: killed, frozen (SIGSTOP) and
/// restarted. Every request is still answered, within bounds that leave room for a loaded 2-core machine:
/// the proxy's own bound on a Redis operation is <c>EnrichProxy:Redis:OperationTimeout</c> (0.5 s).
/// </summary>
public sealed class RedisFaultTests : IAsyncLifetime
{
    // Generous for a loaded CI machine (3x what an idle one measures: 0.6 s with Redis frozen, one OperationTimeout
    // then the circuit), and still below the 2.7 s of the waits in turn before the circuit covered L2 and the lock.
    private static readonly TimeSpan AnswerBound = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ReadyBound = TimeSpan.FromSeconds(2);
    private readonly FakeUpstream _tmdb = new();
    private readonly string _instance = $"fault-{Guid.NewGuid():N}:";
    private RedisServer _redis = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartOwnAsync();
        for (var id = 1; id <= 40; id++)
        {
            _tmdb.Json($"/3/movie/{id}", Tmdb.MovieIn(id, collectionId: null));
        }
    }

    [Theory]
    [InlineData("killed")]
    [InlineData("frozen")]
    public async Task RedisFailingWhileServing_EveryRequestIsAnsweredWithinItsBound(string fault)
    {
        await using var filler = await StartAsync(Settings());
        await using var other = await StartAsync(Settings());
        for (var id = 1; id <= 10; id++)
        {
            (await filler.Client.GetAsync($"/tmdb/3/movie/{id}")).Dispose();
        }

        Fail(fault);
        var inMemory = await TimedAsync(filler, Enumerable.Range(1, 10));
        var onlyInRedis = await TimedAsync(other, Enumerable.Range(1, 10));
        var newKeys = await TimedAsync(other, Enumerable.Range(21, 10));
        var ready = Stopwatch.StartNew();
        using var readiness = await other.Client.GetAsync("/health/ready");
        ready.Stop();

        var slowest = $"slowest: in memory {inMemory.Max(a => a.Elapsed).TotalMilliseconds:0} ms, only in Redis {onlyInRedis.Max(a => a.Elapsed).TotalMilliseconds:0} ms, new keys {newKeys.Max(a => a.Elapsed).TotalMilliseconds:0} ms, ready {ready.Elapsed.TotalMilliseconds:0} ms";
        Assert.True(inMemory.Concat(onlyInRedis).Concat(newKeys).All(answer => answer.Elapsed < AnswerBound), slowest);
        Assert.All(inMemory, answer => Assert.Equal("HIT", answer.XCache));
        Assert.All(onlyInRedis.Concat(newKeys), answer => Assert.Equal(HttpStatusCode.OK, answer.Status));
        Assert.True(ready.Elapsed < ReadyBound, slowest);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, readiness.StatusCode);
    }

    [Fact]
    public async Task RedisRestarted_IsUsedAgainWithinSeconds_WithoutARestartOfTheProxy()
    {
        await using var first = await StartAsync(Settings());
        await using var second = await StartAsync(Settings());
        _redis.Kill();

        await _redis.RestartAsync();

        // Within seconds of Redis's return, a fill through one instance is a hit on the other: L2 is back.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        var id = 100;
        string? shared;
        do
        {
            await Task.Delay(250);
            id++;
            _tmdb.Json($"/3/movie/{id}", Tmdb.MovieIn(id, collectionId: null));
            (await first.Client.GetAsync($"/tmdb/3/movie/{id}")).Dispose();
            using var other = await second.Client.GetAsync($"/tmdb/3/movie/{id}");
            shared = other.XCache();
        }
        while (shared != "HIT" && DateTime.UtcNow < deadline);

        Assert.Equal("HIT", shared);
        using var ready = await second.Client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task APurgeMadeWhileAnInstanceWasCutOff_ReachesItWhenItReconnects()
    {
        await using var relay = new TcpRelay(_redis.Port);
        await using var connected = await StartAsync(Settings(AdminClient.Enabled));
        await using var cutOff = await StartAsync(Settings(AdminClient.Enabled, ("EnrichProxy:Redis:Configuration", $"127.0.0.1:{relay.Port}")));
        (await connected.Client.GetAsync("/tmdb/3/movie/1")).Dispose();
        using (var held = await cutOff.Client.GetAsync("/tmdb/3/movie/1"))
        {
            Assert.Equal("HIT", held.XCache()); // From L2, now in its memory too.
        }

        relay.Cut();
        using var purge = await connected.PurgeAsync(new { route = "tmdb-movie" });
        Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
        using (var stillHeld = await cutOff.Client.GetAsync("/tmdb/3/movie/1"))
        {
            Assert.Equal("HIT", stillHeld.XCache()); // It could not hear the purge.
        }

        relay.Restore();

        // Once it reconnects it reads the purges it missed: its copy is not served again.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        string? after;
        do
        {
            await Task.Delay(250);
            using var answer = await cutOff.Client.GetAsync("/tmdb/3/movie/1");
            after = answer.XCache();
        }
        while (after == "HIT" && DateTime.UtcNow < deadline);

        Assert.Equal("MISS", after);
    }

    private void Fail(string fault)
    {
        if (fault == "killed")
        {
            _redis.Kill();
        }
        else
        {
            _redis.Freeze();
        }
    }

    private static async Task<List<(HttpStatusCode Status, string? XCache, TimeSpan Elapsed)>> TimedAsync(ProxyHost proxy, IEnumerable<int> ids)
    {
        // All at once, as an app refreshing its library would ask.
        return [.. await Task.WhenAll(ids.Select(async id =>
        {
            var clock = Stopwatch.StartNew();
            using var answer = await proxy.Client.GetAsync($"/tmdb/3/movie/{id}");
            await answer.Content.ReadAsByteArrayAsync();
            return (answer.StatusCode, answer.XCache(), clock.Elapsed);
        }))];
    }

    private Dictionary<string, string> Settings(params (string Key, string Value)[] more) => ProxyHost.Settings(
        [
            Destination("tmdb", _tmdb.Url),
            ("EnrichProxy:Redis:Configuration", _redis.Configuration),
            ("EnrichProxy:Redis:InstanceName", _instance),
            .. more,
        ]);

    public async Task DisposeAsync()
    {
        _tmdb.Dispose();
        await _redis.DisposeAsync();
    }
}

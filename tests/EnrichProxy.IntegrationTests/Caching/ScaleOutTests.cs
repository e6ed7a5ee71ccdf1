using System.Diagnostics;
using System.Net;
using EnrichProxy.IntegrationTests.Fixtures;
using EnrichProxy.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using static EnrichProxy.IntegrationTests.Infrastructure.ProxyHost;

namespace EnrichProxy.IntegrationTests.Caching;

/// <summary>Three instances on one redis-server of the test's own, as an operator scales out.</summary>
public sealed class ScaleOutTests : IAsyncLifetime
{
    private static readonly TimeSpan OriginLatency = TimeSpan.FromSeconds(1);
    private readonly FakeUpstream _tmdb = new();
    // One clock for the three, so that they see an entry go stale together.
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly string _instance = $"scale-{Guid.NewGuid():N}:";
    private readonly List<ProxyHost> _instances = [];
    private RedisServer _redis = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartOwnAsync();
        for (var i = 0; i < 3; i++)
        {
            _instances.Add(await StartAsync(ProxyHost.Settings(
                Destination("tmdb", _tmdb.Url),
                ("EnrichProxy:Redis:Configuration", _redis.Configuration),
                ("EnrichProxy:Redis:InstanceName", _instance)), _time));
        }
    }

    [Fact]
    public async Task AHerdSpreadOverThreeInstances_CostsOneUpstreamRequestAndFewLookups_AndEveryWaiterIsAnsweredWhenTheFillIsStored()
    {
        _tmdb.Json("/3/movie/700", Tmdb.MovieIn(700, collectionId: null), delay: OriginLatency);
        for (var i = 0; i < _instances.Count; i++)
        {
            // A fill of another key first: the herd measures the waiting, not each instance's first fill (JIT, connections).
            _tmdb.Json($"/3/movie/{i + 1}", Tmdb.MovieIn(i + 1, collectionId: null));
            (await _instances[i].Client.GetAsync($"/tmdb/3/movie/{i + 1}")).Dispose();
        }

        await _redis.ResetStatisticsAsync();
        var herd = _instances.SelectMany(instance => Enumerable.Range(0, 10).Select(_ => instance)).Select(async instance =>
        {
            var clock = Stopwatch.StartNew();
            using var answer = await instance.Client.GetAsync("/tmdb/3/movie/700");
            await answer.Content.ReadAsByteArrayAsync();
            return (answer.StatusCode, clock.Elapsed);
        });
        var answers = await Task.WhenAll(herd);

        Assert.All(answers, answer => Assert.Equal(HttpStatusCode.OK, answer.StatusCode));
        Assert.Single(_tmdb.Received("/3/movie/700"));
        // The requests of an instance share its lookups in Redis (an L2 read is an HMGET): a few per instance, not one per request.
        var lookups = await _redis.CallsAsync("hmget");
        Assert.True(lookups < answers.Length / 2, $"{lookups} L2 reads for a herd of {answers.Length}");
        // Woken by the lock's release rather than polling it: every waiter within the origin's latency and a margin
        // for a loaded machine (polling the lock left waiters up to 0.8 s behind the fill).
        var slowest = answers.Max(answer => answer.Elapsed);
        Assert.True(slowest < OriginLatency + TimeSpan.FromMilliseconds(600), $"the slowest waiter took {slowest.TotalMilliseconds:0} ms: {string.Join(", ", answers.Select(a => a.Elapsed.TotalMilliseconds.ToString("0", System.Globalization.CultureInfo.InvariantCulture)))}");
    }

    [Fact]
    public async Task AnEntryGoneStaleOnEveryInstance_IsRefreshedOnceAcrossThem()
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie("Version 1"));
        foreach (var instance in _instances)
        {
            using var held = await instance.Client.GetAsync(Tmdb.ProxyMoviePath); // Filled by the first, from L2 on the others.
        }

        _tmdb.Server.Reset();
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie("Version 2"), delay: TimeSpan.FromMilliseconds(500));
        _time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(30)); // Past the 1-day TTL, within the hour of stale-while-revalidate.
        var stale = await Task.WhenAll(_instances.SelectMany(instance => Enumerable.Range(0, 5).Select(_ => instance.Client.GetAsync(Tmdb.ProxyMoviePath))));

        Assert.All(stale, answer => Assert.Equal("STALE", answer.XCache()));
        await _tmdb.WaitForAsync(Tmdb.MoviePath, 1);
        // Every instance has had time to start a refresh of its own (each asks the queue at once); one took the key.
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Single(_tmdb.Received(Tmdb.MoviePath));
        foreach (var answer in stale)
        {
            answer.Dispose();
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var instance in _instances)
        {
            await instance.DisposeAsync();
        }

        _tmdb.Dispose();
        await _redis.DisposeAsync();
    }
}

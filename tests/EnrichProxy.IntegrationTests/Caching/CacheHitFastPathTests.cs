using System.Text.Json;
using EnrichProxy.Caching;
using EnrichProxy.IntegrationTests.Fixtures;
using EnrichProxy.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ZiggyCreatures.Caching.Fusion;
using static EnrichProxy.IntegrationTests.Infrastructure.ProxyHost;

namespace EnrichProxy.IntegrationTests.Caching;

/// <summary>
/// A target answered fresh from the cache a second time is remembered, and from then on answered
/// before routing. These tests check that such answers keep every rule of the full pipeline.
/// </summary>
public sealed class CacheHitFastPathTests : IDisposable
{
    private const string MovieKey = "tmdb-movie|GET|/tmdb/3/movie/603";
    private readonly FakeUpstream _tmdb = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task ARememberedTarget_IsAnsweredFreshWithItsAgeThenStalePastTheTtl()
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie("Version 1"));
        await using var proxy = await StartAsync(Settings(), _time);
        using var miss = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        using var remembered = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);

        _time.Advance(TimeSpan.FromMinutes(30));
        using var fast = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        _time.Advance(TimeSpan.FromMinutes(31));
        using var stale = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);

        Assert.Equal(["MISS", "HIT", "HIT", "STALE"], new[] { miss, remembered, fast, stale }.Select(r => r.XCache()));
        Assert.Equal(30 * 60, fast.AgeSeconds());
        Assert.Equal(61 * 60, stale.AgeSeconds());
        Assert.Contains("Version 1", await fast.BodyAsync(), StringComparison.Ordinal);
        var metrics = await proxy.ScrapeAsync("""result="hit",route="tmdb-movie"}""");
        Assert.Contains("""enrichproxy_cache_requests_total{otel_scope_name="EnrichProxy",result="hit",route="tmdb-movie"} 2""", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AHeldAnswer_IsWrittenAsTheEntryItself_WithItsAgeAndTtl()
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie("Version 1"));
        await using var proxy = await StartAsync(Settings(), _time);
        using var miss = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        using var remembered = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        using var lookedUp = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath); // The fast path's lookup, which holds the entry.

        _time.Advance(TimeSpan.FromSeconds(2)); // Within the recheck interval: answered from what the target copied.
        using var held = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        using var head = await proxy.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, Tmdb.ProxyMoviePath));

        Assert.Equal(["HIT", "HIT", "HIT"], new[] { lookedUp, held, head }.Select(r => r.XCache()));
        Assert.Equal(2, held.AgeSeconds());
        var ttl = long.Parse(lookedUp.Headers.GetValues("Cache-Status").Single().Split("ttl=")[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal($"EnrichProxy; hit; ttl={ttl - 2}", held.Headers.GetValues("Cache-Status").Single());
        Assert.Equal(await lookedUp.BodyAsync(), await held.BodyAsync());
        Assert.Equal(lookedUp.Content.Headers.ContentType, held.Content.Headers.ContentType);
        Assert.Equal(lookedUp.Content.Headers.ContentLength, held.Content.Headers.ContentLength);
        Assert.Equal(lookedUp.Content.Headers.ContentLength, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.Single(_tmdb.Received(Tmdb.MoviePath));
    }

    [Fact]
    public async Task ARememberedTarget_IsFetchedAgainOnceItsEntryIsRemoved()
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie());
        await using var proxy = await StartAsync(Settings(), _time);
        await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        using var remembered = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        using var fast = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);

        await proxy.Services.GetRequiredService<IFusionCache>().RemoveAsync(MovieKey);
        using var afterRemoval = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);

        Assert.Equal("HIT", fast.XCache());
        Assert.Equal("MISS", afterRemoval.XCache());
        Assert.Equal(2, _tmdb.Received(Tmdb.MoviePath).Count);
    }

    [Fact]
    public async Task HeadOfARememberedTarget_HasTheLengthAndNoBody()
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie());
        await using var proxy = await StartAsync(Settings(), _time);
        using var get = await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);
        await proxy.Client.GetAsync(Tmdb.ProxyMoviePath);

        using var head = await proxy.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, Tmdb.ProxyMoviePath));

        Assert.Equal("HIT", head.XCache());
        Assert.Equal(get.Content.Headers.ContentLength, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.Single(_tmdb.Received(Tmdb.MoviePath));
    }

    public void Dispose() => _tmdb.Dispose();

    [Fact]
    public async Task ManySpellingsOfOneUrl_AreAllHits_ButOnlyAFewAreRemembered()
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie());
        await using var proxy = await StartAsync(Settings(("EnrichProxy:Admin:ApiKey", AdminClient.Key), Policy("tmdb-movie", "IgnoreQueryParameters:0", "_")), _time);
        using (await proxy.Client.GetAsync(Tmdb.ProxyMoviePath))
        {
        }

        // As in the report: one URL spelt a thousand ways (an encoded letter, ever more empty parameters), each asked twice.
        var answers = new List<string>();
        for (var i = 1; i <= 500; i++)
        {
            var spelling = "/tmdb/3/%6Dovie/603?" + new string('&', i);
            for (var time = 0; time < 2; time++)
            {
                using var answer = await proxy.Client.GetAsync(spelling);
                answers.Add(answer.XCache());
            }
        }

        // And one far longer than any client needs (an ignored parameter's worth of padding, under the 414 bound).
        using (var longOne = await proxy.Client.GetAsync("/tmdb/3/movie/603?" + new string('&', 300) + "&_=" + new string('x', 3000)))
        {
            answers.Add(longOne.XCache());
        }

        using (var again = await proxy.Client.GetAsync("/tmdb/3/movie/603?" + new string('&', 300) + "&_=" + new string('x', 3000)))
        {
            answers.Add(again.XCache());
        }

        Assert.All(answers, result => Assert.Equal("HIT", result));
        Assert.Single(_tmdb.Received(Tmdb.MoviePath));
        using var stats = await proxy.StatsAsync();
        var fastPath = JsonDocument.Parse(await stats.Content.ReadAsStringAsync()).RootElement.GetProperty("cache").GetProperty("fastPath");
        Assert.InRange(fastPath.GetProperty("targets").GetInt32(), 1, HotTargets.MaxSpellingsPerKey);
        Assert.InRange(fastPath.GetProperty("bytes").GetInt64(), 1, 4096);
    }

    private Dictionary<string, string> Settings(params (string Key, string Value)[] extra) => ProxyHost.Settings(
        [
        Destination("tmdb", _tmdb.Url),
        ("EnrichProxy:Upstreams:tmdb:ApiKey", "proxy-tmdb-key-0123456789"),
        Policy("tmdb-movie", "Ttl", TimeSpan.FromHours(1)),
        Policy("tmdb-movie", "StaleWhileRevalidate", TimeSpan.FromHours(2)),
        .. extra,
        ]);
}

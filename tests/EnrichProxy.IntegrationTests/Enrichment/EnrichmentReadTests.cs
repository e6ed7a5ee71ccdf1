using System.Net;
using System.Text.Json;
using EnrichProxy.IntegrationTests.Fixtures;
using EnrichProxy.IntegrationTests.Infrastructure;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Types;
using WireMock.Util;
using static EnrichProxy.IntegrationTests.Infrastructure.ProxyHost;

namespace EnrichProxy.IntegrationTests.Enrichment;

/// <summary>
/// What the enrichment tiers may take from the cache: the same as a client of the route. An answer an operator
/// purged is not a fallback, and an answer that belongs to one client reaches no one else.
/// </summary>
public sealed class EnrichmentReadTests : IDisposable
{
    private const string TmdbKey = "tmdb-key-for-enrichment-0123";
    private const string TmdbRead = "/tmdb/3/movie/603?append_to_response=credits,images";
    private readonly FakeUpstream _tmdb = new();

    [Fact]
    public async Task DuringAnOutage_AnAnswerPurgedBefore_IsNeverTheExternalTier()
    {
        _tmdb.Json(Tmdb.MoviePath, Tmdb.MovieWithCredits(title: "A wrong title"));
        await using var proxy = await StartAsync(Settings(
            // Expired at once, and out of stale-while-revalidate: only fail-safe still holds the answer.
            Policy("tmdb-movie", "Ttl", TimeSpan.FromMilliseconds(50)),
            Policy("tmdb-movie", "StaleWhileRevalidate", TimeSpan.Zero),
            Policy("tmdb-movie", "StaleIfError", TimeSpan.FromHours(1))));
        using (var filled = await proxy.Client.GetAsync(TmdbRead))
        {
            Assert.Equal("MISS", filled.XCache());
        }

        using (var purge = await proxy.PurgeAsync(new { url = TmdbRead }))
        {
            Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
        }

        await Task.Delay(100);
        _tmdb.Server.Stop(); // TMDb is down: connections are refused.

        using var enriched = await proxy.Client.GetAsync("/api/v1/movies/603");
        using var client = await proxy.Client.GetAsync(TmdbRead);

        Assert.Equal(HttpStatusCode.BadGateway, enriched.StatusCode);
        Assert.DoesNotContain("A wrong title", await enriched.BodyAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadGateway, client.StatusCode);
        Assert.DoesNotContain("A wrong title", await client.BodyAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task APrivateAnswer_ReachesOnlyTheRequestThatStartedItsFill()
    {
        // Each answer belongs to the one who asked: a cookie of its own, and a title that says whose it is. The first
        // is held until the enrichment read has had time to join its fill.
        using var firstArrived = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var answers = 0;
        _tmdb.Server.Given(Request.Create().WithPath(Tmdb.MoviePath).UsingGet()).RespondWith(Response.Create().WithCallback(_ =>
        {
            var n = Interlocked.Increment(ref answers);
            if (n == 1)
            {
                firstArrived.Set();
                release.Wait(TimeSpan.FromSeconds(30));
            }

            return new ResponseMessage
            {
                StatusCode = 200,
                Headers = new Dictionary<string, WireMockList<string>> { ["Content-Type"] = new("application/json"), ["Set-Cookie"] = new($"session={n}") },
                BodyData = new BodyData { BodyAsString = Tmdb.MovieWithCredits(title: $"Answer {n}"), DetectedBodyType = BodyType.String },
            };
        }));
        await using var proxy = await StartAsync(Settings());

        var first = proxy.Client.GetAsync(TmdbRead);
        Assert.True(firstArrived.Wait(TimeSpan.FromSeconds(30)), "the client's fill reached TMDb");
        var enriched = proxy.Client.GetAsync("/api/v1/movies/603");
        await Task.Delay(300);
        release.Set();
        using var client = await first;
        using var document = await enriched;

        Assert.Equal("BYPASS", client.XCache());
        Assert.Contains("Answer 1", await client.BodyAsync(), StringComparison.Ordinal);
        Assert.Equal("session=1", Assert.Single(client.Headers.GetValues("Set-Cookie")));
        Assert.Equal(HttpStatusCode.OK, document.StatusCode);
        using var json = JsonDocument.Parse(await document.BodyAsync());
        Assert.Equal("Answer 2", json.RootElement.GetProperty("title").GetString());
        Assert.Equal(2, _tmdb.Received(Tmdb.MoviePath).Count);
    }

    public void Dispose() => _tmdb.Dispose();

    private Dictionary<string, string> Settings(params (string Key, string Value)[] extra) => ProxyHost.Settings(
        [
            Destination("tmdb", _tmdb.Url),
            ("EnrichProxy:Upstreams:tmdb:ApiKey", TmdbKey),
            ("EnrichProxy:Upstreams:tmdb:Retry:MaxRetries", "0"),
            ("EnrichProxy:Overrides:DiskPath", "data/overrides.db"),
            AdminClient.Enabled,
            .. extra,
        ]);
}

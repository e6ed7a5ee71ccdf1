using EnrichProxy.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using static EnrichProxy.IntegrationTests.Infrastructure.ProxyHost;

namespace EnrichProxy.IntegrationTests.Hosting;

/// <summary>
/// Real URLs land on the shipped route of their data type: told apart by their TTL, moving the
/// injected clock past a short TTL and short of a long one.
/// </summary>
public sealed class ShippedRoutesTests : IDisposable
{
    private readonly FakeUpstream _tmdb = new();
    private readonly FakeUpstream _musicbrainz = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

    [Theory]
    [InlineData("/tmdb/3/movie/popular", "/3/movie/popular", 6, "STALE")] // a list: 5 minutes
    [InlineData("/tmdb/3/tv/airing_today", "/3/tv/airing_today", 6, "STALE")]
    [InlineData("/tmdb/3/movie/603", "/3/movie/603", 6, "HIT")] // details: 24 hours
    [InlineData("/tmdb/3/movie/603/credits", "/3/movie/603/credits", 6, "HIT")]
    [InlineData("/tmdb/3/search/movie?query=matrix", "/3/search/movie", 16, "STALE")] // search: 15 minutes
    [InlineData("/musicbrainz/ws/2/artist?query=sheeran&fmt=json", "/ws/2/artist", 16, "STALE")]
    [InlineData("/musicbrainz/ws/2/artist/b8a7c51f-362c-4dcb-a259-bc6e0095f0a6?fmt=json", "/ws/2/artist/b8a7c51f-362c-4dcb-a259-bc6e0095f0a6", 16, "HIT")] // an artist: 7 days
    public async Task Url_UsesThePolicyOfItsDataType(string url, string upstreamPath, int minutesLater, string expected)
    {
        var upstream = url.StartsWith("/tmdb", StringComparison.Ordinal) ? _tmdb : _musicbrainz;
        upstream.Json(upstreamPath, """{"results":[]}""");
        await using var proxy = await StartAsync(Settings(Destination("tmdb", _tmdb.Url), Destination("musicbrainz", _musicbrainz.Url)), _time);

        using var first = await proxy.Client.GetAsync(url);
        _time.Advance(TimeSpan.FromMinutes(minutesLater));
        using var later = await proxy.Client.GetAsync(url);

        Assert.Equal("MISS", first.XCache());
        Assert.Equal(expected, later.XCache());
    }

    [Fact]
    public async Task MusicBrainz_AnswersInTheFormatEachClientAsksFor()
    {
        const string path = "/ws/2/artist/b8a7c51f-362c-4dcb-a259-bc6e0095f0a6";
        _musicbrainz.Json(path, "{}");
        await using var proxy = await StartAsync(Settings(Destination("musicbrainz", _musicbrainz.Url)));

        foreach (var accept in new[] { "application/json", "application/xml", "application/json" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/musicbrainz" + path);
            request.Headers.Add("Accept", accept);
            using var response = await proxy.Client.SendAsync(request);
        }

        Assert.Equal(["application/json", "application/xml"], _musicbrainz.Received(path).Select(e => e.RequestMessage.Headers!["Accept"].Single()));
    }

    public void Dispose()
    {
        _tmdb.Dispose();
        _musicbrainz.Dispose();
    }
}

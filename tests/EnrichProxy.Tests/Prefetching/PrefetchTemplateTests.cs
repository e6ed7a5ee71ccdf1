using System.Text.Json;
using EnrichProxy.Prefetching;

namespace EnrichProxy.Tests.Prefetching;

public sealed class PrefetchTemplateTests
{
    private const string Movie = """
        { "id": 603, "title": "The Matrix", "belongs_to_collection": { "id": 2344, "name": "The Matrix Collection" } }
        """;

    private const string Show = """
        { "id": 1399, "seasons": [ { "season_number": 0 }, { "season_number": 1 }, { "season_number": 2 }, { "name": "no number" } ] }
        """;

    [Fact]
    public void APropertyPath_NamesOnePath()
    {
        var paths = Expand("/tmdb/3/collection/{belongs_to_collection.id}", Movie);

        Assert.Equal(["/tmdb/3/collection/2344"], paths);
    }

    [Fact]
    public void AnArray_FansOutOnePathPerElementThatHasTheValue()
    {
        var paths = Expand("/tmdb/3/tv/{id}/season/{seasons[].season_number}", Show);

        Assert.Equal(["/tmdb/3/tv/1399/season/0", "/tmdb/3/tv/1399/season/1", "/tmdb/3/tv/1399/season/2"], paths);
    }

    [Theory]
    [InlineData("/tmdb/3/collection/{belongs_to_collection.id}", """{ "id": 550, "belongs_to_collection": null }""")]
    [InlineData("/tmdb/3/collection/{belongs_to_collection.id}", """{ "id": 550 }""")]
    [InlineData("/tmdb/3/collection/{belongs_to_collection.id}", """{ "belongs_to_collection": { "id": "" } }""")]
    [InlineData("/tmdb/3/collection/{belongs_to_collection.id}", """{ "belongs_to_collection": { "id": true } }""")]
    [InlineData("/tmdb/3/tv/{id}/season/{seasons[].season_number}", """{ "id": 1, "seasons": {} }""")]
    [InlineData("/tmdb/3/tv/{id}/season/{seasons[].season_number}", """{ "seasons": [ { "season_number": 1 } ] }""")]
    [InlineData("/tmdb/3/tv/{id}", """[ 1, 2 ]""")]
    public void AMissingValue_NamesNothing(string rule, string answer)
    {
        Assert.Empty(Expand(rule, answer));
    }

    [Fact]
    public void StringValues_AreEscapedAsOnePathSegment()
    {
        var paths = Expand("/lidarr-metadata/album/{Albums[].Id}", """{ "Albums": [ { "Id": "a/b c" }, { "Id": "6b9a9e94-1b6a-4d8f-8f4f-5e8e7f0b2c1d" } ] }""");

        Assert.Equal(["/lidarr-metadata/album/a%2Fb%20c", "/lidarr-metadata/album/6b9a9e94-1b6a-4d8f-8f4f-5e8e7f0b2c1d"], paths);
    }

    [Fact]
    public void QueryCopies_TakeOnlyTheNamedParametersPresentAndNeverCredentials()
    {
        var rule = PrefetchTemplate.Parse("/tmdb/3/collection/{belongs_to_collection.id}{?language,api_key,page}");
        using var json = JsonDocument.Parse(Movie);

        var paths = rule.Expand(json.RootElement, "?api_key=secret&language=de-DE&region=DE", name => name == "api_key", limit: 10);

        Assert.Equal(["/tmdb/3/collection/2344?language=de-DE"], paths);
    }

    [Fact]
    public void QueryCopies_FollowALiteralQuery()
    {
        var paths = Expand("/musicbrainz/ws/2/release-group/{release-groups[].id}?inc=genres{?fmt}", """{ "release-groups": [ { "id": "b1" } ] }""", "?fmt=json");

        Assert.Equal(["/musicbrainz/ws/2/release-group/b1?inc=genres&fmt=json"], paths);
    }

    [Fact]
    public void TwoArrays_NameEveryCombination_UpToTheLimit()
    {
        const string answer = """{ "a": [ { "x": 1 }, { "x": 2 } ], "b": [ { "y": "p" }, { "y": "q" } ] }""";
        var rule = PrefetchTemplate.Parse("/t/{a[].x}/{b[].y}");
        using var json = JsonDocument.Parse(answer);

        Assert.Equal(["/t/1/p", "/t/1/q", "/t/2/p", "/t/2/q"], rule.Expand(json.RootElement, string.Empty, _ => false, limit: 10));
        Assert.Equal(["/t/1/p", "/t/1/q", "/t/2/p"], rule.Expand(json.RootElement, string.Empty, _ => false, limit: 3));
    }

    [Theory]
    [InlineData("tmdb/3/collection/{id}")]
    [InlineData("/tmdb/3/collection/{id")]
    [InlineData("/tmdb/3/collection/id}")]
    [InlineData("/tmdb/3/collection/{}")]
    [InlineData("/tmdb/3/collection/{a..b}")]
    [InlineData("/tmdb/3/collection/{a[0].b}")]
    [InlineData("/tmdb/3/collection/{?language,}")]
    [InlineData("")]
    public void AMalformedRule_IsRefused(string rule)
    {
        Assert.Throws<FormatException>(() => PrefetchTemplate.Parse(rule));
    }

    private static IReadOnlyList<string> Expand(string rule, string answer, string query = "")
    {
        using var json = JsonDocument.Parse(answer);
        return PrefetchTemplate.Parse(rule).Expand(json.RootElement, query, _ => false, limit: 50);
    }
}

using System.Text.Json.Nodes;
using EnrichProxy.Enrichment;
using EnrichProxy.Enrichment.Artists;
using EnrichProxy.Enrichment.Movies;
using EnrichProxy.Enrichment.Series;

namespace EnrichProxy.Tests.Enrichment;

/// <summary>Upstreams that send other shapes than documented give fewer fields, never an exception.</summary>
public sealed class FieldMappingTests
{
    [Fact]
    public void OddShapes_AreSkipped_NotThrown()
    {
        var radarr = JsonNode.Parse("""{"title":"X","images":[{"coverType":3,"url":{"a":1}}],"movieFile":"none","year":"1999","ratings":[1]}""")!.AsObject();
        var tmdb = JsonNode.Parse("""{"title":"X","release_date":19990331,"poster_path":7,"credits":"none","genres":"Action"}""")!.AsObject();
        var tvdb = JsonNode.Parse("""{"name":"X","status":"Ended","originalNetwork":"HBO","seasons":[{"number":1,"type":"official"}],"characters":{"a":1}}""")!.AsObject();
        var sonarr = JsonNode.Parse("""{"title":"X","statistics":"n/a","seasons":[{"seasonNumber":1,"statistics":[1]}]}""")!.AsObject();
        var musicBrainz = JsonNode.Parse("""{"name":"X","release-groups":{"a":1},"genres":"pop"}""")!.AsObject();
        var fanart = JsonNode.Parse("""{"artistthumb":[{"url":5}],"artistbackground":"none"}""")!.AsObject();

        Assert.Equal("X", MovieFields.FromRadarr(radarr)["title"]!.GetValue<string>());
        Assert.Null(MovieFields.Library(radarr)["quality"]);
        Assert.Equal("X", MovieFields.FromTmdb(tmdb)["title"]!.GetValue<string>());
        Assert.False(MovieFields.FromTmdb(tmdb).ContainsKey("year"));
        var series = SeriesFields.FromTvdb(tvdb);
        Assert.False(series.ContainsKey("status"));
        Assert.Single(series["seasons"]!.AsArray());
        Assert.Null(SeriesFields.Library(sonarr)["hasFile"]);
        Assert.Equal("X", SeriesFields.FromSonarr(sonarr)["title"]!.GetValue<string>());
        Assert.False(ArtistFields.FromMusicBrainz(musicBrainz).ContainsKey("releaseGroups"));
        Assert.Null(ArtistFields.ImagesFromFanart(fanart));
    }

    [Fact]
    public void Merge_TakesEachFieldFromTheFirstTierThatHasIt_AndSaysWhich()
    {
        var (document, sources) = DocumentAssembly.Merge(
            new JsonObject { ["tmdb"] = 603 },
            ["title", "year", "cast", "runtime"],
            ("internal", new JsonObject { ["title"] = "Mine" }),
            ("arr", new JsonObject { ["title"] = "Library", ["year"] = 1999 }),
            ("external", new JsonObject { ["title"] = "TMDb", ["year"] = 2000, ["cast"] = new JsonArray() }));

        Assert.Equal("Mine", document["title"]!.GetValue<string>());
        Assert.Equal(1999, document["year"]!.GetValue<int>());
        Assert.NotNull(document["cast"]);
        Assert.False(document.ContainsKey("runtime"));
        Assert.Equal("internal", sources["title"]!.GetValue<string>());
        Assert.Equal("arr", sources["year"]!.GetValue<string>());
        Assert.Equal("external", sources["cast"]!.GetValue<string>());
    }
}

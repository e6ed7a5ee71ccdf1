using EnrichProxy.Caching.Purging;

namespace EnrichProxy.Tests.Caching.Purging;

public sealed class TagTemplateTests
{
    [Theory]
    [InlineData("tmdb:movie:{id}", "tmdb:movie:603")]
    [InlineData("{kind}-{id}", "movie-603")]
    [InlineData("all-movies", "all-movies")]
    public void Resolve_FillsThePlaceholdersFromTheRouteValues(string template, string expected)
    {
        var values = new Dictionary<string, object?> { ["id"] = "603", ["kind"] = "movie" };

        Assert.Equal(expected, TagTemplate.Parse(template).Resolve(values));
    }

    [Fact]
    public void Resolve_WithoutAPlaceholdersValue_GivesNoTag()
    {
        var template = TagTemplate.Parse("tmdb:movie:{id}");

        Assert.Null(template.Resolve(new Dictionary<string, object?> { ["rest"] = "603/credits" }));
        Assert.Null(template.Resolve(new Dictionary<string, object?> { ["id"] = "" }));
        Assert.Null(template.Resolve(null));
    }

    [Theory]
    [InlineData("tmdb:{id")]
    [InlineData("tmdb:{}")]
    [InlineData("tmdb:id}")]
    [InlineData("tmdb:{{id}}")]
    public void Parse_RejectsBrokenBraces(string template)
    {
        Assert.Throws<FormatException>(() => TagTemplate.Parse(template));
    }
}

using EnrichProxy.Upstreams;

namespace EnrichProxy.Tests.Upstreams;

public sealed class ReplayedHeadersTests
{
    [Fact]
    public void From_DropsPerConnectionHeadersAndCookies()
    {
        var headers = new HeaderDictionary
        {
            ["Content-Type"] = "application/json",
            ["ETag"] = "\"v1\"",
            ["Set-Cookie"] = "session=1",
            ["Age"] = "30",
            ["Date"] = "Wed, 25 Nov 2026 10:00:00 GMT",
            ["Content-Length"] = "10",
            ["Connection"] = "keep-alive",
            ["X-Cache"] = "HIT",
        };

        var stored = ReplayedHeaders.From(headers);

        Assert.Equal(["Content-Type", "ETag"], stored.Select(h => h.Name));
    }

    [Fact]
    public void From_KeepsEveryValueOfARepeatedHeader()
    {
        var headers = new HeaderDictionary { ["Link"] = new(["<a>; rel=next", "<b>; rel=last"]) };

        var stored = ReplayedHeaders.From(headers);

        Assert.Equal(2, stored.Length);
    }
}

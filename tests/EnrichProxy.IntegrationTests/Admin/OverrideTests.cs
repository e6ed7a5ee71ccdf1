using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using EnrichProxy.IntegrationTests.Infrastructure;

namespace EnrichProxy.IntegrationTests.Admin;

/// <summary><c>/admin/overrides/{kind}/{id}</c> with the embedded store: the internal tier's data.</summary>
public sealed class OverrideTests
{
    [Fact]
    public async Task AnOverride_IsStoredReadAndRemoved_AndSurvivesARestart()
    {
        var contentRoot = Directory.CreateTempSubdirectory("enrichproxy-overrides-").FullName;
        try
        {
            await using (var first = await ProxyHost.StartAsync(Settings(), contentRoot: contentRoot))
            {
                using var put = await SendAsync(first, HttpMethod.Put, "/admin/overrides/movies/0603", """{"title":"The Matrix (Director's Cut)","tagline":null,"genres":["Action"]}""");
                var stored = await JsonAsync(put);

                Assert.Equal(HttpStatusCode.OK, put.StatusCode);
                Assert.Equal("603", stored.GetProperty("id").GetString());
                Assert.Equal("movies", stored.GetProperty("kind").GetString());
            }

            await using var second = await ProxyHost.StartAsync(Settings(), contentRoot: contentRoot);
            using var get = await SendAsync(second, HttpMethod.Get, "/admin/overrides/movies/603");
            var fields = (await JsonAsync(get)).GetProperty("fields");

            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            Assert.Equal("The Matrix (Director's Cut)", fields.GetProperty("title").GetString());
            Assert.Equal(JsonValueKind.Null, fields.GetProperty("tagline").ValueKind);
            Assert.Equal("Action", fields.GetProperty("genres")[0].GetString());

            using var delete = await SendAsync(second, HttpMethod.Delete, "/admin/overrides/movies/603");
            using var again = await SendAsync(second, HttpMethod.Delete, "/admin/overrides/movies/603");
            using var gone = await SendAsync(second, HttpMethod.Get, "/admin/overrides/movies/603");
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(contentRoot, recursive: true);
        }
    }

    [Fact]
    public async Task Overrides_AreKeptPerKind_WithArtistsByMbid()
    {
        await using var proxy = await ProxyHost.StartAsync(Settings());

        await SendAsync(proxy, HttpMethod.Put, "/admin/overrides/series/121361", """{"title":"Game of Thrones"}""");
        await SendAsync(proxy, HttpMethod.Put, "/admin/overrides/artists/B8A7C51F-362C-4DCB-A259-BC6E0095F0A6", """{"name":"Ed Sheeran"}""");

        using var artist = await SendAsync(proxy, HttpMethod.Get, "/admin/overrides/artists/b8a7c51f-362c-4dcb-a259-bc6e0095f0a6");
        using var movie = await SendAsync(proxy, HttpMethod.Get, "/admin/overrides/movies/121361");
        Assert.Equal(HttpStatusCode.OK, artist.StatusCode);
        Assert.Equal("b8a7c51f-362c-4dcb-a259-bc6e0095f0a6", (await JsonAsync(artist)).GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.NotFound, movie.StatusCode);
    }

    [Theory]
    [InlineData("PUT", "/admin/overrides/books/1", """{"title":"x"}""", HttpStatusCode.NotFound)]
    [InlineData("PUT", "/admin/overrides/movies/0", """{"title":"x"}""", HttpStatusCode.BadRequest)]
    [InlineData("PUT", "/admin/overrides/movies/-3", """{"title":"x"}""", HttpStatusCode.BadRequest)]
    [InlineData("PUT", "/admin/overrides/movies/abc", """{"title":"x"}""", HttpStatusCode.BadRequest)]
    [InlineData("GET", "/admin/overrides/artists/not-an-mbid", "", HttpStatusCode.BadRequest)]
    [InlineData("PUT", "/admin/overrides/movies/603", """["title"]""", HttpStatusCode.BadRequest)]
    [InlineData("PUT", "/admin/overrides/movies/603", """{}""", HttpStatusCode.BadRequest)]
    [InlineData("PUT", "/admin/overrides/movies/603", """{"sources":{}}""", HttpStatusCode.BadRequest)]
    [InlineData("PUT", "/admin/overrides/movies/603", """{"bad name":1}""", HttpStatusCode.BadRequest)]
    [InlineData("PUT", "/admin/overrides/movies/603", """{"title":""", HttpStatusCode.BadRequest)]
    [InlineData("PUT", "/admin/overrides/movies/603", "LONG", HttpStatusCode.RequestEntityTooLarge)]
    [InlineData("DELETE", "/admin/overrides/series/1399", "", HttpStatusCode.NotFound)]
    public async Task BadOverrideRequests_GetAProblemThatSaysWhat(string method, string path, string body, HttpStatusCode expected)
    {
        await using var proxy = await ProxyHost.StartAsync(Settings());
        body = body == "LONG" ? $$"""{"overview":"{{new string('a', 70_000)}}"}""" : body;

        using var response = await SendAsync(proxy, new HttpMethod(method), path, body.Length == 0 ? null : body);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.False(string.IsNullOrEmpty((await JsonAsync(response)).GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task Overrides_NeedTheAdminKey()
    {
        await using var proxy = await ProxyHost.StartAsync(Settings());
        using var request = new HttpRequestMessage(HttpMethod.Put, "/admin/overrides/movies/603") { Content = JsonContent.Create(new { title = "x" }) };

        using var response = await proxy.Client.SendAsync(request);
        using var get = await SendAsync(proxy, HttpMethod.Get, "/admin/overrides/movies/603");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }

    private static Dictionary<string, string> Settings() => ProxyHost.Settings(AdminClient.Enabled, ("EnrichProxy:Overrides:DiskPath", "data/overrides.db"));

    private static async Task<HttpResponseMessage> SendAsync(ProxyHost proxy, HttpMethod method, string path, string? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-Admin-Key", AdminClient.Key);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        return await proxy.Client.SendAsync(request);
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
}

using System.Net;
using EnrichProxy.IntegrationTests.Infrastructure;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Types;
using WireMock.Util;
using static EnrichProxy.IntegrationTests.Infrastructure.ProxyHost;

namespace EnrichProxy.IntegrationTests.Upstreams;

/// <summary>TheTVDB v4's login (<c>ApiKeyLocation: Login</c>): the proxy exchanges its key for a bearer token, and renews it.</summary>
public sealed class LoginTests : IDisposable
{
    private const string TvdbKey = "tvdb-project-key-0123456789";
    private readonly FakeUpstream _tvdb = new();
    // Tokens the fake TheTVDB takes: those its logins issued, until the test revokes them.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _valid = new();
    private int _logins;
    private volatile int _loginStatus = 200;

    public LoginTests()
    {
        _tvdb.Server.Given(Request.Create().WithPath("/v4/login").UsingPost()).RespondWith(Response.Create().WithCallback(request =>
        {
            var login = Interlocked.Increment(ref _logins);
            if (_loginStatus != 200 || request.Body?.Contains(TvdbKey, StringComparison.Ordinal) != true)
            {
                return Answer(401, """{"status":"failure","message":"Unauthorized"}""");
            }

            _valid[$"token-{login}"] = true;
            return Answer(200, $$$"""{"status":"success","data":{"token":"token-{{{login}}}"}}""");
        }));
        _tvdb.Server.Given(Request.Create().WithPath("/v4/series/*").UsingGet()).RespondWith(Response.Create().WithCallback(request =>
            request.Headers?.TryGetValue("Authorization", out var authorization) == true && _valid.ContainsKey(authorization.Single().Replace("Bearer ", string.Empty, StringComparison.Ordinal))
                ? Answer(200, """{"status":"success","data":{"id":121361,"name":"Game of Thrones"}}""")
                : Answer(401, """{"status":"failure","message":"Unauthorized"}""")));
    }

    [Fact]
    public async Task TheProxyLogsInOnce_AndAgainWhenTheTokenIsRefused()
    {
        await using var proxy = await StartAsync(Settings());

        using var first = await proxy.Client.GetAsync("/tvdb/v4/series/1");
        using var second = await proxy.Client.GetAsync("/tvdb/v4/series/2");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(1, _logins);

        _valid.Clear(); // The upstream stops taking the first token.
        using var refused = await proxy.Client.GetAsync("/tvdb/v4/series/3");
        using var renewed = await proxy.Client.GetAsync("/tvdb/v4/series/4");

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, renewed.StatusCode);
        Assert.Equal(2, _logins);
        Assert.DoesNotContain("token-", await renewed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(TvdbKey, proxy.Logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARefusedLogin_GivesA502_AndIsTriedAgainOnTheNextRequest()
    {
        _loginStatus = 401;
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var proxy = await StartAsync(Settings(), time);

        using var response = await proxy.Client.GetAsync("/tvdb/v4/series/1");
        using var forwarded = await proxy.Client.GetAsync("/tvdb/v4/languages"); // Not cached: forwarded by YARP itself.
        Assert.Equal(HttpStatusCode.BadGateway, forwarded.StatusCode);
        Assert.Equal("application/problem+json", forwarded.Content.Headers.ContentType?.MediaType);
        Assert.Empty(_tvdb.Received("/v4/languages"));
        time.Advance(TimeSpan.FromSeconds(6)); // A failed login is not tried again for 5 seconds.
        _loginStatus = 200;
        using var later = await proxy.Client.GetAsync("/tvdb/v4/series/1");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, later.StatusCode);
        Assert.True(proxy.Logs.Contains("UpstreamLoginRefused"));
    }

    public void Dispose() => _tvdb.Dispose();

    private static ResponseMessage Answer(int status, string json) => new()
    {
        StatusCode = status,
        Headers = new Dictionary<string, WireMockList<string>> { ["Content-Type"] = new("application/json") },
        BodyData = new BodyData { BodyAsString = json, DetectedBodyType = BodyType.String },
    };

    private Dictionary<string, string> Settings() => ProxyHost.Settings(
        Destination("tvdb", _tvdb.Url),
        ("EnrichProxy:Upstreams:tvdb:ApiKey", TvdbKey),
        ("EnrichProxy:Upstreams:tvdb:Retry:MaxRetries", "0"));
}

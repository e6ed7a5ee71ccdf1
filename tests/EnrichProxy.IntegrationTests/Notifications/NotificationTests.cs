using System.Net;
using System.Text.Json;
using EnrichProxy.IntegrationTests.Fixtures;
using EnrichProxy.IntegrationTests.Infrastructure;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using static EnrichProxy.IntegrationTests.Infrastructure.ProxyHost;

namespace EnrichProxy.IntegrationTests.Notifications;

/// <summary>Notifications to local receivers (WireMock) in each format, from a real proxy whose parts fail for real.</summary>
public sealed class NotificationTests : IDisposable
{
    private const string DiscordPath = "/api/webhooks/123/secret-discord-token";
    private const string NtfyPath = "/enrichproxy-secret-topic";
    private readonly FakeUpstream _tmdb = new();
    private readonly FakeUpstream _receiver = new();

    public NotificationTests()
    {
        foreach (var path in new[] { "/hook", NtfyPath, DiscordPath, "/notify/apprise" })
        {
            _receiver.Server.Given(Request.Create().WithPath(path).UsingPost()).RespondWith(Response.Create().WithStatusCode(200));
        }
    }

    [Fact]
    public async Task AnUpstreamCircuitOpeningAndClosing_IsSentInEveryFormat()
    {
        _tmdb.Json("/3/movie/1", "{}", status: 503);
        _tmdb.Json("/3/movie/2", Tmdb.Movie());
        await using var proxy = await StartAsync(Settings(
            ("EnrichProxy:Upstreams:tmdb:CircuitBreaker:FailuresBeforeOpening", "2"),
            ("EnrichProxy:Upstreams:tmdb:CircuitBreaker:BreakDuration", "00:00:01")));

        await proxy.Client.GetAsync("/tmdb/3/movie/1");
        await proxy.Client.GetAsync("/tmdb/3/movie/1");
        var opened = await ReceivedAsync("/hook", body => body.Contains("upstream.circuit.opened", StringComparison.Ordinal));
        await Task.Delay(TimeSpan.FromSeconds(1.2)); // the break ends; the next request is the probe
        using var probe = await proxy.Client.GetAsync("/tmdb/3/movie/2");
        var closed = await ReceivedAsync("/hook", body => body.Contains("upstream.circuit.closed", StringComparison.Ordinal));

        var json = JsonDocument.Parse(opened).RootElement;
        Assert.Equal("upstream tmdb", json.GetProperty("subject").GetString());
        Assert.Equal("failure", json.GetProperty("severity").GetString());
        Assert.Contains("default: answered 503", json.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("recovered", JsonDocument.Parse(closed).RootElement.GetProperty("severity").GetString());
        Assert.Equal(HttpStatusCode.OK, probe.StatusCode);

        var ntfy = await ReceivedRequestAsync(NtfyPath, body => body.Contains("opened", StringComparison.Ordinal));
        Assert.Equal("EnrichProxy: tmdb is failing", ntfy.Headers!["Title"].Single());
        Assert.Equal("4", ntfy.Headers["Priority"].Single());
        Assert.Equal("Bearer ntfy-access-token", ntfy.Headers["Authorization"].Single());
        var discord = JsonDocument.Parse(await ReceivedAsync(DiscordPath, body => body.Contains("tmdb is failing", StringComparison.Ordinal))).RootElement;
        Assert.Equal("tmdb is failing", discord.GetProperty("embeds")[0].GetProperty("title").GetString());
        var apprise = JsonDocument.Parse(await ReceivedAsync("/notify/apprise", body => body.Contains("failure", StringComparison.Ordinal))).RootElement;
        Assert.Equal("failure", apprise.GetProperty("type").GetString());
        // Secrets in the targets' URLs appear in no log line.
        Assert.DoesNotContain("secret-discord-token", proxy.Logs.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain("enrichproxy-secret-topic", proxy.Logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFlappingUpstream_SendsOneMessagePerQuietPeriod()
    {
        await using var proxy = await StartAsync(Settings(
            ("EnrichProxy:Notifications:QuietPeriod", "01:00:00"),
            ("EnrichProxy:Upstreams:tmdb:CircuitBreaker:FailuresBeforeOpening", "2"),
            ("EnrichProxy:Upstreams:tmdb:CircuitBreaker:BreakDuration", "00:00:00.500")));

        // Failing, then answering, over and over: the circuit opens and closes several times within the quiet period.
        // (A movie of its own each time: an answer, once cached, would not reach the upstream again.)
        for (var id = 1; id <= 4; id++)
        {
            _tmdb.Json($"/3/movie/{id}", "{}", status: 503);
            await proxy.Client.GetAsync($"/tmdb/3/movie/{id}");
            await proxy.Client.GetAsync($"/tmdb/3/movie/{id}");
            await Task.Delay(700);
            _tmdb.Json($"/3/movie/{id}", Tmdb.Movie());
            await proxy.Client.GetAsync($"/tmdb/3/movie/{id}");
            await Task.Delay(300);
        }

        await ReceivedAsync("/hook", body => body.Contains("upstream.circuit.opened", StringComparison.Ordinal));
        Assert.True(proxy.Logs.Lines.Count(line => line.Contains("[CircuitClosed]", StringComparison.Ordinal)) >= 3, "The circuit did not flap.");
        Assert.Single(_receiver.Received("/hook"));
    }

    [Fact]
    public async Task OneTargetFailing_TheOthersStillGetTheMessage_AndTheFailureIsLoggedWithoutItsUrl()
    {
        _tmdb.Json("/3/movie/1", "{}", status: 503);
        await using var proxy = await StartAsync(Settings(
            ("EnrichProxy:Notifications:Targets:down:Url", "http://127.0.0.1:9/secret-path-of-down"),
            ("EnrichProxy:Upstreams:tmdb:CircuitBreaker:FailuresBeforeOpening", "2")));

        await proxy.Client.GetAsync("/tmdb/3/movie/1");
        await proxy.Client.GetAsync("/tmdb/3/movie/1");
        await ReceivedAsync("/hook", body => body.Contains("upstream.circuit.opened", StringComparison.Ordinal));
        await WaitAsync(() => proxy.Logs.Contains("NotificationFailed"));

        Assert.Contains(proxy.Logs.Lines, line => line.Contains("Notification target down could not be reached", StringComparison.Ordinal));
        Assert.DoesNotContain("secret-path-of-down", proxy.Logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMessageATargetDidNotTake_IsOfferedAgain_UntilItIs()
    {
        _tmdb.Json("/3/movie/1", "{}", status: 503);
        _receiver.Server.Given(Request.Create().WithPath("/flaky").UsingPost()).InScenario("flaky").WillSetStateTo("up")
            .RespondWith(Response.Create().WithStatusCode(500));
        _receiver.Server.Given(Request.Create().WithPath("/flaky").UsingPost()).InScenario("flaky").WhenStateIs("up")
            .RespondWith(Response.Create().WithStatusCode(200));
        await using var proxy = await StartAsync(Settings(
            ("EnrichProxy:Notifications:Targets:flaky:Url", _receiver.Url.TrimEnd('/') + "/flaky"),
            ("EnrichProxy:Upstreams:tmdb:CircuitBreaker:FailuresBeforeOpening", "2")));

        await proxy.Client.GetAsync("/tmdb/3/movie/1");
        await proxy.Client.GetAsync("/tmdb/3/movie/1");
        await WaitAsync(() => _receiver.Received("/flaky").Count >= 2);

        var attempts = _receiver.Received("/flaky");
        Assert.All(attempts, attempt => Assert.Contains("upstream.circuit.opened", attempt.RequestMessage.Body, StringComparison.Ordinal));
        Assert.Contains(proxy.Logs.Lines, line => line.Contains("Notification target flaky answered 500", StringComparison.Ordinal));
        Assert.Single(_receiver.Received("/hook"));
    }

    [Fact]
    public async Task RedisLostAndBack_IsSent()
    {
        await using var redis = await RedisServer.StartOwnAsync();
        await using var proxy = await StartAsync(Settings(
            ("EnrichProxy:Redis:Configuration", redis.Configuration),
            ("EnrichProxy:Redis:InstanceName", $"notify-{Guid.NewGuid():N}:")));

        redis.Kill();
        var lost = await ReceivedAsync("/hook", body => body.Contains("l2.lost", StringComparison.Ordinal));
        await redis.RestartAsync();
        await ReceivedAsync("/hook", body => body.Contains("l2.back", StringComparison.Ordinal), TimeSpan.FromSeconds(60));

        Assert.DoesNotContain(redis.Configuration, lost, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABrokenTarget_StopsTheStart_WithoutEchoingItsUrl()
    {
        var failure = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => StartAsync(ProxyHost.Settings(
            ("EnrichProxy:Notifications:Targets:phone:Url", "not a url with a secret"),
            ("EnrichProxy:Notifications:Targets:phone:Format", "pager"))));

        Assert.Contains("EnrichProxy:Notifications:Targets:phone:Url must be an absolute http or https URL", failure.Message, StringComparison.Ordinal);
        Assert.Contains("EnrichProxy:Notifications:Targets:phone:Format must be one of json, ntfy, discord, apprise", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("a secret", failure.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _tmdb.Dispose();
        _receiver.Dispose();
    }

    private async Task<string> ReceivedAsync(string path, Func<string, bool> matches, TimeSpan? timeout = null) =>
        (await ReceivedRequestAsync(path, matches, timeout)).Body!;

    private async Task<WireMock.RequestMessage> ReceivedRequestAsync(string path, Func<string, bool> matches, TimeSpan? timeout = null)
    {
        WireMock.RequestMessage? found = null;
        await WaitAsync(
            () => (found = _receiver.Received(path).Select(entry => (WireMock.RequestMessage)entry.RequestMessage).FirstOrDefault(r => matches(r.Body ?? string.Empty))) is not null,
            timeout);
        return found!;
    }

    private static async Task WaitAsync(Func<bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "Not received in time.");
            await Task.Delay(50);
        }
    }

    private Dictionary<string, string> Settings(params (string Key, string Value)[] more)
    {
        var receiver = _receiver.Url.TrimEnd('/');
        return ProxyHost.Settings(
        [
            Destination("tmdb", _tmdb.Url),
            ("EnrichProxy:Upstreams:tmdb:Retry:MaxRetries", "0"),
            ("EnrichProxy:Notifications:CheckInterval", "00:00:00.100"),
            ("EnrichProxy:Notifications:QuietPeriod", "00:00:00"),
            ("EnrichProxy:Notifications:Targets:hook:Url", receiver + "/hook"),
            ("EnrichProxy:Notifications:Targets:phone:Url", receiver + NtfyPath),
            ("EnrichProxy:Notifications:Targets:phone:Format", "ntfy"),
            ("EnrichProxy:Notifications:Targets:phone:Token", "ntfy-access-token"),
            ("EnrichProxy:Notifications:Targets:discord:Url", receiver + DiscordPath),
            ("EnrichProxy:Notifications:Targets:discord:Format", "discord"),
            ("EnrichProxy:Notifications:Targets:apprise:Url", receiver + "/notify/apprise"),
            ("EnrichProxy:Notifications:Targets:apprise:Format", "apprise"),
            .. more,
        ]);
    }
}

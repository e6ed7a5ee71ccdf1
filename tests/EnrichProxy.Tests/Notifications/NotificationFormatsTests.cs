using System.Text.Json;
using EnrichProxy.Notifications;
using EnrichProxy.Telemetry;

namespace EnrichProxy.Tests.Notifications;

public sealed class NotificationFormatsTests
{
    private static readonly Notification Opened = new(
        new Condition("upstream lidarr-metadata", "open", "closed", "upstream.circuit.opened", NotificationSeverity.Failure, "lidarr-metadata is failing", "The circuit opened."),
        new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero));

    private static readonly Uri Url = new("https://ntfy.example/secret-topic");

    [Fact]
    public async Task Json_CarriesTheEventSubjectStateAndSeverity()
    {
        using var request = NotificationFormats.Request("json", Url, Opened, "host-1");
        var body = JsonDocument.Parse(await request.Content!.ReadAsStringAsync()).RootElement;

        Assert.Equal("upstream.circuit.opened", body.GetProperty("event").GetString());
        Assert.Equal("upstream lidarr-metadata", body.GetProperty("subject").GetString());
        Assert.Equal("open", body.GetProperty("state").GetString());
        Assert.Equal("failure", body.GetProperty("severity").GetString());
        Assert.Equal("host-1", body.GetProperty("instance").GetString());
        Assert.True(Untraced.IsMarked(request));
    }

    [Fact]
    public async Task Ntfy_IsPlainTextWithTitlePriorityAndTagsInHeaders()
    {
        using var request = NotificationFormats.Request("NTFY", Url, Opened, "host-1");

        Assert.Equal("text/plain", request.Content!.Headers.ContentType?.MediaType);
        Assert.Equal("The circuit opened.", await request.Content.ReadAsStringAsync());
        Assert.Equal("EnrichProxy: lidarr-metadata is failing", request.Headers.GetValues("Title").Single());
        Assert.Equal("4", request.Headers.GetValues("Priority").Single());
        Assert.Equal("rotating_light", request.Headers.GetValues("Tags").Single());
    }

    [Fact]
    public async Task Discord_IsOneEmbed_AndApprise_HasItsType()
    {
        using var discord = NotificationFormats.Request("discord", Url, Opened, "host-1");
        using var apprise = NotificationFormats.Request("apprise", Url, Opened with { Condition = Opened.Condition with { Severity = NotificationSeverity.Recovered } }, "host-1");
        var embed = JsonDocument.Parse(await discord.Content!.ReadAsStringAsync()).RootElement.GetProperty("embeds")[0];
        var appriseBody = JsonDocument.Parse(await apprise.Content!.ReadAsStringAsync()).RootElement;

        Assert.Equal("lidarr-metadata is failing", embed.GetProperty("title").GetString());
        Assert.Equal(0xC62D2D, embed.GetProperty("color").GetInt32());
        Assert.Equal("success", appriseBody.GetProperty("type").GetString());
    }
}

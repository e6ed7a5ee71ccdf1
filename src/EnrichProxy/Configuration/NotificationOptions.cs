namespace EnrichProxy.Configuration;

/// <summary>
/// Notifications (<c>EnrichProxy:Notifications</c>) when an upstream's circuit opens or closes, an upstream asks for
/// a pause, the second cache level (Redis or the disk file) or the Redis backplane is lost or back, or a warm-up
/// fails. Off until a target is set.
/// </summary>
internal sealed class NotificationOptions
{
    /// <summary>Where messages go, by a name of the operator's choosing (<c>Targets:phone:Url</c>).</summary>
    public Dictionary<string, NotificationTargetOptions> Targets { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How often the proxy looks at what it watches. Default 10 seconds, 100 ms to 10 minutes.</summary>
    [SettingRange(typeof(TimeSpan), "00:00:00.1", "00:10:00", ErrorMessage = "{0} must be between 100 ms and 10 minutes.")]
    public TimeSpan CheckInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// After a message about something (one upstream, L2, the backplane, the warm-up), no other about it for this long;
    /// when it ends, the state then is sent if it differs from the last one sent. A flapping upstream sends a few
    /// messages, not hundreds. Default 5 minutes, at most a day.
    /// </summary>
    [SettingRange(typeof(TimeSpan), "00:00:00", "1.00:00:00", ErrorMessage = "{0} must be between 0 and 1 day.")]
    public TimeSpan QuietPeriod { get; init; } = TimeSpan.FromMinutes(5);

    internal bool IsEnabled => Targets.Count > 0;
}

/// <summary>One place messages go.</summary>
internal sealed class NotificationTargetOptions
{
    /// <summary>
    /// The address messages are posted to: the generic webhook's, an ntfy topic (<c>https://ntfy.sh/my-topic</c>), a
    /// Discord webhook, or an Apprise API notify URL (<c>http://apprise:8000/notify/apprise</c>). Often a secret itself
    /// (Discord's carries a token): never logged; set it from a file (<c>..._Url_FILE</c>) to keep it out of the environment.
    /// </summary>
    public string? Url { get; init; }

    /// <summary><c>json</c> (default), <c>ntfy</c>, <c>discord</c> or <c>apprise</c>.</summary>
    public string Format { get; init; } = "json";

    /// <summary>A bearer token sent in <c>Authorization</c> (an ntfy access token, a webhook receiver's); optional.</summary>
    public string? Token { get; init; }
}

using System.ComponentModel.DataAnnotations;

namespace EnrichProxy.Configuration;

/// <summary>
/// The library warm-up (<c>EnrichProxy:Warmup</c>): at start and then every <see cref="Interval"/>, the
/// Radarr, Sonarr and Lidarr libraries the proxy holds a key for are read, and every item's document is
/// queued at the lowest priority.
/// </summary>
internal sealed class WarmupOptions
{
    /// <summary>Whether the warm-up runs. Default false; the shipped configuration turns it on.</summary>
    public bool Enabled { get; init; }

    /// <summary>The time from the start of one warm-up round to the next. Default 6 hours, at least 1 minute.</summary>
    [SettingRange(typeof(TimeSpan), "00:01:00", "10675199.02:48:05.4775807", ErrorMessage = "{0} must be at least 1 minute.")]
    public TimeSpan Interval { get; init; } = TimeSpan.FromHours(6);
}

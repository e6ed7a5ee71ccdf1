using System.ComponentModel.DataAnnotations;

namespace EnrichProxy.Configuration;

/// <summary>The enrichment API (<c>EnrichProxy:Enrichment</c>): how its assembled documents are cached.</summary>
internal sealed class EnrichmentOptions
{
    /// <summary>How long an assembled, complete document is answered from the cache. Default 1 hour.</summary>
    [SettingRange(typeof(TimeSpan), "00:00:00.001", "10675199.02:48:05.4775807", ErrorMessage = "{0} must be greater than 0.")]
    public TimeSpan Ttl { get; init; } = TimeSpan.FromHours(1);

    /// <summary>After <see cref="Ttl"/>, how long the last document is answered while every tier fails. Default 7 days.</summary>
    [SettingRange(typeof(TimeSpan), "00:00:00", "10675199.02:48:05.4775807", ErrorMessage = "{0} cannot be negative.")]
    public TimeSpan StaleIfError { get; init; } = TimeSpan.FromDays(7);

    /// <summary>
    /// How long an answer waits for the external tier once the library or the overrides have answered;
    /// past it, the answer is partial (<c>complete: false</c>) and the document is completed in the
    /// background. Default 2 seconds.
    /// </summary>
    [SettingRange(typeof(TimeSpan), "00:00:00.001", "10675199.02:48:05.4775807", ErrorMessage = "{0} must be greater than 0.")]
    public TimeSpan ExternalSoftTimeout { get; init; } = TimeSpan.FromSeconds(2);
}

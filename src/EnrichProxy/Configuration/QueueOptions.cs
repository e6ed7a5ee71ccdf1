using System.ComponentModel.DataAnnotations;

namespace EnrichProxy.Configuration;

/// <summary>The background queue (<c>EnrichProxy:Queue</c>): refreshes, prefetches and warm-up jobs.</summary>
internal sealed class QueueOptions
{
    /// <summary>Jobs run at the same time. Default 4.</summary>
    [SettingRange(1, 256)]
    public int Workers { get; init; } = 4;

    /// <summary>Jobs each priority (refresh, prefetch, warm-up) may hold waiting; past it, new jobs are dropped and counted. Default 1000.</summary>
    [SettingRange(1, 1_000_000)]
    public int Capacity { get; init; } = 1000;

    /// <summary>On shutdown, how long waiting and running jobs may still finish before the rest is left. Default 10 seconds.</summary>
    [SettingRange(typeof(TimeSpan), "00:00:00", "00:10:00", ErrorMessage = "{0} must be between 0 and 10 minutes.")]
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How far prefetch follows its own answers: 1 fetches what a client's answer names, 2 also what those
    /// name (a movie's collection, then the collection's movies). 0 turns prefetch off. Default 2.
    /// </summary>
    [SettingRange(0, 5)]
    public int MaxPrefetchDepth { get; init; } = 2;

    /// <summary>The most prefetch jobs one answer may start (an array fans out to one per element). Default 50.</summary>
    [SettingRange(1, 1000)]
    public int MaxPrefetchFanOut { get; init; } = 50;
}

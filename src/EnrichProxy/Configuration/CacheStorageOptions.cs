using System.ComponentModel.DataAnnotations;

namespace EnrichProxy.Configuration;

/// <summary>Memory and embedded disk storage (<c>EnrichProxy:Cache</c>).</summary>
internal sealed class CacheStorageOptions
{
    /// <summary>Upper bound of the memory cache (L1), in bytes of cached answers. Default 512 MiB.</summary>
    [SettingRange(typeof(long), "1", "9223372036854775807", ErrorMessage = "{0} must be greater than 0.")]
    public long MemorySizeLimitBytes { get; init; } = 512L * 1024 * 1024;

    /// <summary>
    /// The secret that names the cache partitions of client credentials the proxy cannot vouch for (an
    /// HMAC, so a partition name reveals nothing about the credential). Set the same value on every
    /// instance that shares Redis for them to share those entries. Default: a random secret per start.
    /// </summary>
    public string? PartitionSecret { get; init; }

    /// <summary>The embedded disk L2 file used when Redis is not configured; relative paths are under the content root. Default <c>data/cache.db</c>.</summary>
    public string DiskPath { get; init; } = "data/cache.db";

    /// <summary>
    /// Upper bound of the embedded disk L2, in bytes of the file's used pages: past it, the entries that expire soonest
    /// are evicted (checked every 30 seconds). Default 1 GiB; at least 1 MiB.
    /// </summary>
    [SettingRange(typeof(long), "1048576", "9223372036854775807", ErrorMessage = "{0} must be at least 1 MiB (1048576).")]
    public long DiskMaxBytes { get; init; } = 1024L * 1024 * 1024;

    /// <summary>
    /// How often the second level's entries and bytes are counted for <c>/metrics</c> and <c>/admin/stats</c>.
    /// Default 5 minutes: with Redis, each count scans the keyspace. The first count is taken at start.
    /// </summary>
    [SettingRange(typeof(TimeSpan), "00:00:00.001", "10675199.02:48:05.4775807", ErrorMessage = "{0} must be greater than 0.")]
    public TimeSpan L2SampleInterval { get; init; } = TimeSpan.FromMinutes(5);
}

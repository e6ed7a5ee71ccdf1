using EnrichProxy.Configuration;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace EnrichProxy.Caching.Storage;

/// <summary>The memory cache FusionCache uses as L1, kept by the proxy so that its size can be reported.</summary>
internal sealed class MemoryLevel : IDisposable
{
    public MemoryLevel(IOptions<EnrichProxyOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Cache = new MemoryCache(new MemoryCacheOptions
        {
            SizeLimit = options.Value.Cache.MemorySizeLimitBytes,
            CompactionPercentage = 0.1,
            // Per-thread counters: costs a hit no contention, and gives the entry count and size for /metrics.
            TrackStatistics = true,
        });
    }

    public MemoryCache Cache { get; }

    /// <summary>Entries, and their estimated bytes (the sizes the limit is checked against).</summary>
    public (long Entries, long Bytes) Measure()
    {
        var statistics = Cache.GetCurrentStatistics();
        return (statistics?.CurrentEntryCount ?? Cache.Count, statistics?.CurrentEstimatedSize ?? 0);
    }

    public void Dispose() => Cache.Dispose();
}

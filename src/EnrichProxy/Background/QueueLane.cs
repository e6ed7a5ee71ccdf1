namespace EnrichProxy.Background;

/// <summary>The priorities of background jobs, highest first: a worker always takes from the highest lane with work.</summary>
internal enum QueueLane
{
    /// <summary>Refreshes of stale answers and documents a client's answer could not wait for.</summary>
    Refresh = 0,

    /// <summary>Related items a client's answer names.</summary>
    Prefetch = 1,

    /// <summary>The library warm-up, and whatever it prefetches.</summary>
    Warmup = 2,
}

namespace EnrichProxy.Configuration;

/// <summary>Redis as L2, backplane and distributed lock (<c>EnrichProxy:Redis</c>).</summary>
internal sealed class RedisOptions
{
    /// <summary>A StackExchange.Redis configuration string such as <c>localhost:6379</c>. Empty (the default): no Redis; the embedded disk L2 is used.</summary>
    public string? Configuration { get; init; }

    /// <summary>Prefix of every Redis key and channel, so several deployments can share one server. Default <c>enrichproxy:</c>.</summary>
    public string InstanceName { get; init; } = "enrichproxy:";

    /// <summary>
    /// The longest a request waits on one Redis operation: an L2 read or write, the distributed lock, the purge
    /// and override stores, the readiness check. Past it the request goes on without Redis (memory, the upstream,
    /// stale), and a circuit keeps Redis out of the request path until it answers again. The embedded disk L2
    /// gets the same bound. Default 0.5 s.
    /// </summary>
    [SettingRange(typeof(TimeSpan), "00:00:00.050", "00:00:30")]
    public TimeSpan OperationTimeout { get; init; } = DefaultOperationTimeout;

    internal static readonly TimeSpan DefaultOperationTimeout = TimeSpan.FromMilliseconds(500);

    internal bool IsEnabled => !string.IsNullOrWhiteSpace(Configuration);
}

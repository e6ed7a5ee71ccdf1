namespace EnrichProxy.Configuration;

/// <summary>Redis as L2, backplane and distributed lock (<c>EnrichProxy:Redis</c>).</summary>
internal sealed class RedisOptions
{
    /// <summary>A StackExchange.Redis configuration string such as <c>localhost:6379</c>. Empty (the default): no Redis; the embedded disk L2 is used.</summary>
    public string? Configuration { get; init; }

    /// <summary>Prefix of every Redis key and channel, so several deployments can share one server. Default <c>enrichproxy:</c>.</summary>
    public string InstanceName { get; init; } = "enrichproxy:";

    internal bool IsEnabled => !string.IsNullOrWhiteSpace(Configuration);
}

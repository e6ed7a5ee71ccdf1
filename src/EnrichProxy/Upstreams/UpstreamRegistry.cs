using System.Security.Cryptography;
using System.Text;
using EnrichProxy.Configuration;
using Microsoft.Extensions.Options;

namespace EnrichProxy.Upstreams;

/// <summary>The <see cref="UpstreamOptions"/> of each cluster; a cluster without an entry gets the defaults.</summary>
internal sealed class UpstreamRegistry(IOptions<EnrichProxyOptions> options)
{
    private static readonly UpstreamOptions Defaults = new();

    /// <summary>The HMAC key of credential partitions (<see cref="CacheStorageOptions.PartitionSecret"/>).</summary>
    public byte[] PartitionKey { get; } = options.Value.Cache.PartitionSecret is { Length: > 0 } secret
        ? Encoding.UTF8.GetBytes(secret)
        : RandomNumberGenerator.GetBytes(32);

    public UpstreamOptions Get(string clusterId) =>
        options.Value.Upstreams.TryGetValue(clusterId, out var upstream) ? upstream : Defaults;

    public string? InboundApiKey => options.Value.InboundApiKey is { Length: > 0 } key ? key : null;
}

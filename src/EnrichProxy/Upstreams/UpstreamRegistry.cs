using System.Security.Cryptography;
using System.Text;
using EnrichProxy.Configuration;
using Microsoft.Extensions.Options;

namespace EnrichProxy.Upstreams;

/// <summary>
/// The <see cref="UpstreamOptions"/> of each cluster as configured now (a configuration change that passes its check
/// applies at once); a cluster without an entry gets the defaults. The options are read on use, not on construction:
/// YARP's transforms hold this, and the start-up check builds them to validate routes even when the options
/// themselves are invalid.
/// </summary>
internal sealed class UpstreamRegistry(IOptionsMonitor<EnrichProxyOptions> options)
{
    private static readonly UpstreamOptions Defaults = new();

    // From the start: entries stored under it could not be read with another.
    private readonly Lazy<byte[]> _partitionKey = new(() => options.CurrentValue.Cache.PartitionSecret is { Length: > 0 } secret
        ? Encoding.UTF8.GetBytes(secret)
        : RandomNumberGenerator.GetBytes(32));

    /// <summary>The HMAC key of credential partitions (<see cref="CacheStorageOptions.PartitionSecret"/>): the secret, or random for this process.</summary>
    public byte[] PartitionKey => _partitionKey.Value;

    public UpstreamOptions Get(string clusterId) =>
        options.CurrentValue.Upstreams.TryGetValue(clusterId, out var upstream) ? upstream : Defaults;

    public string? InboundApiKey => options.CurrentValue.InboundApiKey is { Length: > 0 } key ? key : null;

    /// <summary>Calls <paramref name="listener"/> when the upstream settings may have changed.</summary>
    public IDisposable? OnChange(Action listener) => options.OnChange(_ => listener());
}

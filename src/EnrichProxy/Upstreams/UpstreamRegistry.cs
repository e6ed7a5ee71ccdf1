using EnrichProxy.Configuration;
using Microsoft.Extensions.Options;

namespace EnrichProxy.Upstreams;

/// <summary>The <see cref="UpstreamOptions"/> of each cluster; a cluster without an entry gets the defaults.</summary>
internal sealed class UpstreamRegistry(IOptions<EnrichProxyOptions> options)
{
    private static readonly UpstreamOptions Defaults = new();

    public UpstreamOptions Get(string clusterId) =>
        options.Value.Upstreams.TryGetValue(clusterId, out var upstream) ? upstream : Defaults;

    public string? InboundApiKey => options.Value.InboundApiKey is { Length: > 0 } key ? key : null;
}

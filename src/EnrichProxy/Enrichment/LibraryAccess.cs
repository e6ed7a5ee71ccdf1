using EnrichProxy.Upstreams;

namespace EnrichProxy.Enrichment;

/// <summary>
/// The library state of a document (paths, monitoring, files) is the Arr instance's private data, read
/// with the proxy's key: a caller sees it only with the key the proxied Arr routes ask for (the
/// instance's own or the proxy's <c>InboundApiKey</c>), presented the same ways (<see cref="UpstreamAccessRules"/>).
/// </summary>
internal sealed class LibraryAccess(UpstreamRegistry upstreams)
{
    public bool MaySee(HttpRequest request, ItemKindDefinition kind)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(kind);
        var instance = upstreams.Get(kind.Library.ClusterId);
        return UpstreamAccessRules.PresentedApiKey(request, instance.EffectiveKeyName) is { } presented
            && ((instance.ApiKey is { Length: > 0 } key && UpstreamAccessRules.KeyEquals(presented, key))
                || (upstreams.InboundApiKey is { } inbound && UpstreamAccessRules.KeyEquals(presented, inbound)));
    }
}

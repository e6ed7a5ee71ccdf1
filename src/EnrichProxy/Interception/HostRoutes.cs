using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;

namespace EnrichProxy.Interception;

/// <summary>
/// Which cluster answers an intercepted host: the one whose <c>Metadata:PublicAddress</c> names it
/// (<c>"PublicAddress": "https://api.radarr.video/v1/"</c>). A request for that host is answered through the
/// cluster's prefix routes (<c>/radarr-metadata/movie/603</c> for <c>api.radarr.video/v1/movie/603</c>), so it shares
/// their policies, keys, entries and purges. The address is metadata rather than the destination's own, so that
/// pointing a destination elsewhere (a mirror, a test's fake) keeps the host routed.
/// </summary>
internal sealed class HostRoutes(IProxyStateLookup proxyState)
{
    /// <summary>The cluster metadata key that names the address apps call.</summary>
    public const string PublicAddressKey = "PublicAddress";

    private Snapshot _snapshot = new([], FrozenDictionary<string, HostRoute>.Empty);

    /// <summary>The hosts some cluster answers.</summary>
    public IEnumerable<string> Hosts => Current().Routes.Keys;

    /// <summary>The cluster that answers <paramref name="host"/>, if any.</summary>
    public bool TryGet(string host, [NotNullWhen(true)] out HostRoute? route) => Current().Routes.TryGetValue(host, out route);

    // The clusters change only when the configuration does: the map is rebuilt when YARP's models are new.
    private Snapshot Current()
    {
        var snapshot = Volatile.Read(ref _snapshot);
        if (IsCurrent(snapshot))
        {
            return snapshot;
        }

        var models = proxyState.GetClusters().Select(cluster => cluster.Model).ToArray();

        var routes = new Dictionary<string, HostRoute>(StringComparer.OrdinalIgnoreCase);
        foreach (var model in models)
        {
            if (model.Config.Metadata?.GetValueOrDefault(PublicAddressKey) is { } address
                && Uri.TryCreate(address, UriKind.Absolute, out var uri))
            {
                routes[InterceptedHosts.Normalize(uri.Host)] = new HostRoute(model.Config.ClusterId, uri.AbsolutePath.TrimEnd('/'));
            }
        }

        snapshot = new Snapshot(models, routes.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase));
        Volatile.Write(ref _snapshot, snapshot);
        return snapshot;
    }

    // Compared in place, so that an intercepted request allocates nothing while the configuration stays the same.
    private bool IsCurrent(Snapshot snapshot)
    {
        var index = 0;
        foreach (var cluster in proxyState.GetClusters())
        {
            if (index >= snapshot.Models.Length || !ReferenceEquals(cluster.Model, snapshot.Models[index]))
            {
                return false;
            }

            index++;
        }

        return index == snapshot.Models.Length;
    }

    private sealed record Snapshot(ClusterModel[] Models, FrozenDictionary<string, HostRoute> Routes);
}

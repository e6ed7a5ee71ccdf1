using System.Diagnostics.CodeAnalysis;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace EnrichProxy.Tests.Support;

/// <summary>YARP's routes as the proxy's own reads look them up, without a running proxy.</summary>
internal sealed class FakeProxyState(params RouteConfig[] routes) : IProxyStateLookup
{
    private readonly Dictionary<string, RouteModel> _routes =
        routes.ToDictionary(r => r.RouteId, r => new RouteModel(r, cluster: null, HttpTransformer.Empty), StringComparer.OrdinalIgnoreCase);

    /// <summary>A route of <paramref name="path"/> on cluster <paramref name="clusterId"/> cached with <paramref name="policy"/>.</summary>
    public static RouteConfig Route(string routeId, string clusterId, string path, string policy) => new()
    {
        RouteId = routeId,
        ClusterId = clusterId,
        Match = new RouteMatch { Path = path },
        Metadata = new Dictionary<string, string> { ["CachePolicy"] = policy },
    };

    public bool TryGetRoute(string id, [NotNullWhen(true)] out RouteModel? route) => _routes.TryGetValue(id, out route);

    public IEnumerable<RouteModel> GetRoutes() => _routes.Values;

    public bool TryGetCluster(string id, [NotNullWhen(true)] out ClusterState? cluster)
    {
        cluster = null;
        return false;
    }

    public IEnumerable<ClusterState> GetClusters() => [];
}

using Yarp.ReverseProxy.Model;

namespace EnrichProxy.Upstreams;

/// <summary>The YARP feature of a fill's synthetic request, so route transforms see the route, cluster and destination.</summary>
internal sealed class FillProxyFeature(RouteModel route, ClusterModel cluster, DestinationState destination) : IReverseProxyFeature
{
    public RouteModel Route { get; } = route;

    public ClusterModel Cluster { get; } = cluster;

    public IReadOnlyList<DestinationState> AllDestinations { get; } = [destination];

    public IReadOnlyList<DestinationState> AvailableDestinations { get; set; } = [destination];

    public DestinationState? ProxiedDestination { get; set; } = destination;
}

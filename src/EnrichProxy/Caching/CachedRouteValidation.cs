using EnrichProxy.Configuration;
using Yarp.ReverseProxy.Transforms.Builder;

namespace EnrichProxy.Caching;

/// <summary>
/// YARP's validation hook for what a route asks of the cache: the policy it names exists, and its own tag
/// templates parse. Policy names are read from the configuration being checked (the running one, or a changed one
/// before it is accepted), not from the validated options, so that the check of the options can run YARP's validation too.
/// </summary>
internal sealed class CachedRouteValidation(CheckedConfiguration checkedConfiguration) : ITransformProvider
{
    public void ValidateRoute(TransformRouteValidationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var route = context.Route;
        if (route.Metadata?.TryGetValue(CachePolicyRegistry.MetadataKey, out var policy) == true
            && !checkedConfiguration.Value.GetSection($"{EnrichProxyOptions.SectionName}:Policies").GetChildren().Any(p => string.Equals(p.Key, policy, StringComparison.OrdinalIgnoreCase)))
        {
            context.Errors.Add(new ArgumentException($"ReverseProxy:Routes:{route.RouteId}:Metadata:{CachePolicyRegistry.MetadataKey} names the unknown policy '{policy}'."));
        }

        foreach (var error in CachePolicyRegistry.RouteTags(route).Errors)
        {
            context.Errors.Add(new ArgumentException(error));
        }
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context)
    {
    }
}

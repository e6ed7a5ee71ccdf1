using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Configuration;

namespace EnrichProxy.Routing;

/// <summary>YARP's query parameter conditions of a route (<c>Match:QueryParameters</c>), checked against a query.</summary>
internal static class QueryConditions
{
    public static bool Matches(RouteQueryParameter condition, Dictionary<string, StringValues> query)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(query);
        var present = query.TryGetValue(condition.Name, out var values) && values.Count > 0;
        var comparison = condition.IsCaseSensitive ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        var expected = condition.Values ?? [];
        return condition.Mode switch
        {
            QueryParameterMatchMode.Exists => present,
            QueryParameterMatchMode.Exact => present && values.Any(v => expected.Any(e => string.Equals(v, e, comparison))),
            QueryParameterMatchMode.Prefix => present && values.Any(v => expected.Any(e => v?.StartsWith(e, comparison) == true)),
            QueryParameterMatchMode.Contains => present && values.Any(v => expected.Any(e => v?.Contains(e, comparison) == true)),
            QueryParameterMatchMode.NotContains => present && values.All(v => expected.All(e => v?.Contains(e, comparison) != true)),
            _ => false,
        };
    }
}

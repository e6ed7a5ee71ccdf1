using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.AspNetCore.WebUtilities;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Configuration;

namespace EnrichProxy.Routing;

/// <summary>
/// Finds the route a GET of a path would take, the way ASP.NET Core's endpoint matching picks one: by
/// <c>Order</c>, then by how specific the path pattern is, with route constraints and YARP's query
/// parameter conditions checked. Routes with host or header conditions are skipped: a request that
/// no client sent has neither.
/// </summary>
internal sealed class RouteFinder(IProxyStateLookup proxyState, IInlineConstraintResolver constraints)
{
    private readonly ConditionalWeakTable<RouteConfig, Candidate> _candidates = [];

    /// <summary>
    /// The route that would answer <c>GET <paramref name="path"/><paramref name="query"/></c>, with its route
    /// values; false when no route matches.
    /// </summary>
    /// <param name="path">The decoded path, as a request's <c>Path</c>.</param>
    /// <param name="query">The query string with its <c>?</c>, or empty.</param>
    /// <param name="match">The route and the values it matched.</param>
    public bool TryFind(string path, string query, out FoundRoute match)
    {
        match = default;
        var parsedQuery = query.Length > 1 ? QueryHelpers.ParseQuery(query) : [];
        var best = default(Candidate);
        RouteValueDictionary? bestValues = null;
        var values = new RouteValueDictionary();
        foreach (var route in proxyState.GetRoutes())
        {
            var candidate = CandidateOf(route.Config);
            if (candidate.Excluded || (best is not null && candidate.CompareTo(best) >= 0))
            {
                continue;
            }

            if (candidate.PathMatches(path, values) && candidate.QueryMatches(parsedQuery))
            {
                best = candidate;
                bestValues = values;
                values = [];
            }
            else
            {
                values.Clear();
            }
        }

        if (best is null)
        {
            return false;
        }

        match = new FoundRoute(best.Route, bestValues!);
        return true;
    }

    /// <summary>Whether <paramref name="path"/> matches the path pattern of <paramref name="route"/>, constraints included; its values go to <paramref name="values"/>.</summary>
    public bool PathMatches(RouteConfig route, string path, RouteValueDictionary values) => CandidateOf(route).PathMatches(path, values);

    /// <summary>The cluster of a route, or null when the route does not exist.</summary>
    public string? ClusterOf(string routeId) => proxyState.TryGetRoute(routeId, out var route) ? route.Config.ClusterId : null;

    // Per route configuration object: YARP replaces them when its configuration reloads.
    private Candidate CandidateOf(RouteConfig route) => _candidates.GetValue(route, Prepare);

    private Candidate Prepare(RouteConfig route)
    {
        var match = route.Match;
        var excluded = match.Hosts is { Count: > 0 } || match.Headers is { Count: > 0 }
            || (match.Methods is { Count: > 0 } methods && !methods.Contains(HttpMethods.Get, StringComparer.OrdinalIgnoreCase));
        var pattern = RoutePatternFactory.Parse(match.Path ?? "/{**catchall}");
        var routeConstraints = pattern.ParameterPolicies.ToDictionary(
            policy => policy.Key,
            policy => policy.Value.Select(reference => reference.Content is { } content ? constraints.ResolveConstraint(content) : reference.ParameterPolicy as IRouteConstraint)
                .OfType<IRouteConstraint>().ToArray(),
            StringComparer.OrdinalIgnoreCase);
        return new Candidate(route, excluded, route.Order ?? 0, pattern.InboundPrecedence,
            new TemplateMatcher(new RouteTemplate(pattern), new RouteValueDictionary(pattern.Defaults)), routeConstraints);
    }

    private sealed record Candidate(
        RouteConfig Route, bool Excluded, int Order, decimal Precedence, TemplateMatcher Matcher, Dictionary<string, IRouteConstraint[]> Constraints)
    {
        // Lower first, as endpoint matching orders them: by Order, then the more specific pattern.
        public int CompareTo(Candidate other) =>
            Order != other.Order ? Order.CompareTo(other.Order) : Precedence.CompareTo(other.Precedence);

        public bool PathMatches(string path, RouteValueDictionary values) => Matcher.TryMatch(path, values) && ConstraintsMatch(values);

        private bool ConstraintsMatch(RouteValueDictionary values)
        {
            foreach (var (name, list) in Constraints)
            {
                foreach (var constraint in list)
                {
                    if (!constraint.Match(httpContext: null, route: null, name, values, RouteDirection.IncomingRequest))
                    {
                        return false;
                    }
                }
            }

            return true;
        }

        public bool QueryMatches(Dictionary<string, Microsoft.Extensions.Primitives.StringValues> query)
        {
            foreach (var condition in Route.Match.QueryParameters ?? [])
            {
                if (!QueryConditions.Matches(condition, query))
                {
                    return false;
                }
            }

            return true;
        }
    }
}

/// <summary>A route found for a path: its configuration and route values.</summary>
internal readonly record struct FoundRoute(RouteConfig Route, RouteValueDictionary Values);

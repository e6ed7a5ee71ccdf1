using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using EnrichProxy.Telemetry;

namespace EnrichProxy.Caching;

/// <summary>
/// Counts answers of cached routes by route and result. The counts are plain per-route fields read
/// by observable counters when metrics are collected, so that counting costs the hit path one
/// interlocked increment instead of a trip through the metrics pipeline.
/// </summary>
internal sealed class CacheMetrics
{
    private readonly ConcurrentDictionary<string, RouteCacheCounters> _routes = new(StringComparer.Ordinal);
    private readonly Counter<long> _revalidations;

    public CacheMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(EnrichProxyDiagnostics.MeterName);
        meter.CreateObservableCounter(EnrichProxyDiagnostics.CacheRequests, ObserveAnswers, unit: "{request}", description: "Answers of cached routes, by route and cache result.");
        meter.CreateObservableCounter(EnrichProxyDiagnostics.CacheCoalesced, ObserveCoalesced, unit: "{request}", description: "Requests answered by a fill another request started.");
        _revalidations = meter.CreateCounter<long>(
            EnrichProxyDiagnostics.CacheRevalidations, unit: "{request}", description: "Conditional requests upstream for expired entries, by route and result.");
    }

    /// <summary>The counters of one route, to keep at hand where the route is known in advance.</summary>
    public RouteCacheCounters For(string routeId) => _routes.GetOrAdd(routeId, static id => new RouteCacheCounters(id));

    public void Answered(string routeId, CacheResult result) => For(routeId).Answered(result);

    public void Coalesced(string routeId) => For(routeId).Coalesced();

    /// <summary>Counts a conditional request upstream: answered 304 (<paramref name="notModified"/>) or with a new answer.</summary>
    public void Revalidated(string routeId, bool notModified) => _revalidations.Add(
        1,
        new KeyValuePair<string, object?>(EnrichProxyDiagnostics.RouteTag, routeId),
        new KeyValuePair<string, object?>(EnrichProxyDiagnostics.ResultTag, notModified ? "not_modified" : "modified"));

    /// <summary>The <c>result</c> label and span attribute value of a cache result.</summary>
    public static string Label(CacheResult result) => result switch
    {
        CacheResult.Hit => "hit",
        CacheResult.Miss => "miss",
        CacheResult.Stale => "stale",
        _ => "bypass",
    };

    /// <summary>Every route's counters, for <c>/admin/stats</c>.</summary>
    public IEnumerable<RouteCacheCounters> Routes => _routes.Values;

    private IEnumerable<Measurement<long>> ObserveAnswers()
    {
        foreach (var counters in _routes.Values)
        {
            var route = new KeyValuePair<string, object?>(EnrichProxyDiagnostics.RouteTag, counters.RouteId);
            yield return Measurement(counters.Hits, route, Label(CacheResult.Hit));
            yield return Measurement(counters.Misses, route, Label(CacheResult.Miss));
            yield return Measurement(counters.Stale, route, Label(CacheResult.Stale));
            yield return Measurement(counters.Bypassed, route, Label(CacheResult.Bypass));
        }
    }

    private IEnumerable<Measurement<long>> ObserveCoalesced() =>
        _routes.Values.Select(counters => new Measurement<long>(
            counters.CoalescedWaiters, new KeyValuePair<string, object?>(EnrichProxyDiagnostics.RouteTag, counters.RouteId)));

    private static Measurement<long> Measurement(long value, KeyValuePair<string, object?> route, string result) =>
        new(value, route, new KeyValuePair<string, object?>(EnrichProxyDiagnostics.ResultTag, result));
}

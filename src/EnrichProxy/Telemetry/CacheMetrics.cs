using System.Diagnostics.Metrics;
using EnrichProxy.Caching;

namespace EnrichProxy.Telemetry;

/// <summary>Counts answers of cached routes by route and result.</summary>
internal sealed class CacheMetrics
{
    private readonly Counter<long> _requests;
    private readonly Counter<long> _coalesced;

    public CacheMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(EnrichProxyDiagnostics.MeterName);
        _requests = meter.CreateCounter<long>(EnrichProxyDiagnostics.CacheRequests, unit: "{request}", description: "Answers of cached routes, by route and cache result.");
        _coalesced = meter.CreateCounter<long>(EnrichProxyDiagnostics.CacheCoalesced, unit: "{request}", description: "Requests answered by a fill another request started.");
    }

    public void Answered(string routeId, CacheResult result) =>
        _requests.Add(1, new(EnrichProxyDiagnostics.RouteTag, routeId), new(EnrichProxyDiagnostics.ResultTag, ResultName(result)));

    public void Coalesced(string routeId) => _coalesced.Add(1, new KeyValuePair<string, object?>(EnrichProxyDiagnostics.RouteTag, routeId));

    private static string ResultName(CacheResult result) => result switch
    {
        CacheResult.Hit => "hit",
        CacheResult.Miss => "miss",
        CacheResult.Stale => "stale",
        _ => "bypass",
    };
}

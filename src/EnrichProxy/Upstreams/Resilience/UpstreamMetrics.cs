using System.Diagnostics.Metrics;
using EnrichProxy.Telemetry;

namespace EnrichProxy.Upstreams.Resilience;

/// <summary>What the resilience pipelines do, per cluster: refusals, permit waits and retries.</summary>
internal sealed class UpstreamMetrics
{
    private readonly Counter<long> _refused;
    private readonly Counter<long> _waits;
    private readonly Counter<long> _retries;

    public UpstreamMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(EnrichProxyDiagnostics.MeterName);
        _refused = meter.CreateCounter<long>(EnrichProxyDiagnostics.UpstreamRefused, "{request}", "Upstream requests not sent: rate limit, pause or open circuit.");
        _waits = meter.CreateCounter<long>(EnrichProxyDiagnostics.UpstreamRateLimitWaits, "{request}", "Upstream requests that waited for a rate-limit permit.");
        _retries = meter.CreateCounter<long>(EnrichProxyDiagnostics.UpstreamRetries, "{request}", "Retries of upstream requests.");
    }

    public void Refused(string clusterId, RefusalReason reason) =>
        _refused.Add(1, Cluster(clusterId), new(EnrichProxyDiagnostics.ReasonTag, ReasonName(reason)));

    public void WaitedForPermit(string clusterId) => _waits.Add(1, Cluster(clusterId));

    public void Retried(string clusterId) => _retries.Add(1, Cluster(clusterId));

    private static KeyValuePair<string, object?> Cluster(string clusterId) => new(EnrichProxyDiagnostics.ClusterTag, clusterId);

    private static string ReasonName(RefusalReason reason) => reason switch
    {
        RefusalReason.RateLimited => "rate_limited",
        RefusalReason.Paused => "paused",
        _ => "circuit_open",
    };
}

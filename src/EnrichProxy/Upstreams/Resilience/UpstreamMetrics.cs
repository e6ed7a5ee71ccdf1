using System.Diagnostics.Metrics;
using System.Globalization;
using EnrichProxy.Telemetry;

namespace EnrichProxy.Upstreams.Resilience;

/// <summary>What upstreams and the resilience pipelines do, per cluster: requests, their duration, refusals, permit waits and retries.</summary>
internal sealed class UpstreamMetrics
{
    // Seconds: from a fast local Arr to a metadata server that takes its time.
    private static readonly double[] DurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    private static readonly string[] StatusLabels =
        [.. Enumerable.Range(100, 500).Select(code => code.ToString(CultureInfo.InvariantCulture))];

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _refused;
    private readonly Counter<long> _waits;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _failovers;

    public UpstreamMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(EnrichProxyDiagnostics.MeterName);
        _requests = meter.CreateCounter<long>(EnrichProxyDiagnostics.UpstreamRequests, "{request}", "Upstream requests sent (each attempt), by status.");
        _duration = meter.CreateHistogram(EnrichProxyDiagnostics.UpstreamDuration, "s", "How long upstream attempts took.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _refused = meter.CreateCounter<long>(EnrichProxyDiagnostics.UpstreamRefused, "{request}", "Upstream requests not sent: rate limit, pause or open circuit.");
        _waits = meter.CreateCounter<long>(EnrichProxyDiagnostics.UpstreamRateLimitWaits, "{request}", "Upstream requests that waited for a rate-limit permit.");
        _retries = meter.CreateCounter<long>(EnrichProxyDiagnostics.UpstreamRetries, "{request}", "Retries of upstream requests.");
        _failovers = meter.CreateCounter<long>(EnrichProxyDiagnostics.UpstreamFailovers, "{request}",
            "Upstream requests sent to a destination past the first of the failover order, because those before it failed or had their circuit open.");
    }

    /// <summary>Starts a cluster's refusal, wait and retry series at zero, so that dashboards and alerts see them before the first event.</summary>
    public void Prime(string clusterId)
    {
        foreach (var reason in Enum.GetValues<RefusalReason>())
        {
            _refused.Add(0, Cluster(clusterId), new(EnrichProxyDiagnostics.ReasonTag, ReasonName(reason)));
        }

        _waits.Add(0, Cluster(clusterId));
        _retries.Add(0, Cluster(clusterId));
    }

    /// <summary>Records one attempt: its HTTP status, or <c>timeout</c>, <c>error</c> or <c>cancelled</c> when none came back.</summary>
    public void Sent(string clusterId, string status, TimeSpan duration)
    {
        _requests.Add(1, Cluster(clusterId), new(EnrichProxyDiagnostics.StatusTag, status));
        _duration.Record(duration.TotalSeconds, Cluster(clusterId));
    }

    public void Refused(string clusterId, RefusalReason reason) =>
        _refused.Add(1, Cluster(clusterId), new(EnrichProxyDiagnostics.ReasonTag, ReasonName(reason)));

    public void WaitedForPermit(string clusterId) => _waits.Add(1, Cluster(clusterId));

    public void Retried(string clusterId) => _retries.Add(1, Cluster(clusterId));

    public void FailedOver(string clusterId, string destinationId, int count = 1) =>
        _failovers.Add(count, Cluster(clusterId), new(EnrichProxyDiagnostics.DestinationTag, destinationId));

    /// <summary>The status label of an answer: its code, from a small table so that labels cost no allocation.</summary>
    public static string StatusLabel(int statusCode) =>
        statusCode is >= 100 and < 600 ? StatusLabels[statusCode - 100] : "error";

    private static KeyValuePair<string, object?> Cluster(string clusterId) => new(EnrichProxyDiagnostics.ClusterTag, clusterId);

    private static string ReasonName(RefusalReason reason) => reason switch
    {
        RefusalReason.RateLimited => "rate_limited",
        RefusalReason.Paused => "paused",
        _ => "circuit_open",
    };
}

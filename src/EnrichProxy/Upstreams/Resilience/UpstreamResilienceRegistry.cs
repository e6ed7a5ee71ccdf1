using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json;
using EnrichProxy.Configuration;
using EnrichProxy.Telemetry;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;

namespace EnrichProxy.Upstreams.Resilience;

/// <summary>One <see cref="ClusterResilience"/> per cluster, kept while the cluster's settings stay the same so that
/// its rate limit, pause and breaker hold across YARP rebuilding a cluster's client; a change of the settings builds
/// it anew. Publishes their breaker and pause states as gauges.</summary>
internal sealed class UpstreamResilienceRegistry : IDisposable
{
    private readonly ConcurrentDictionary<string, ClusterResilience> _clusters = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _creating = new();
    private readonly UpstreamRegistry _upstreams;
    private readonly TimeProvider _time;
    private readonly UpstreamMetrics _metrics;
    private readonly ILoggerFactory _loggers;
    private readonly Lazy<IProxyStateLookup> _proxyState;
    private readonly ConcurrentDictionary<string, string> _builtFrom = new(StringComparer.OrdinalIgnoreCase);
    private readonly IDisposable? _watch;

    public UpstreamResilienceRegistry(
        UpstreamRegistry upstreams, TimeProvider time, UpstreamMetrics metrics, ILoggerFactory loggers, IMeterFactory meterFactory, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        // YARP's state depends on the client factory, which depends on this registry: resolved at first use.
        _proxyState = new Lazy<IProxyStateLookup>(services.GetRequiredService<IProxyStateLookup>);
        _upstreams = upstreams;
        _time = time;
        _metrics = metrics;
        _loggers = loggers;
        var meter = meterFactory.Create(EnrichProxyDiagnostics.MeterName);
        meter.CreateObservableGauge(EnrichProxyDiagnostics.UpstreamCircuitState,
            () => Clusters.Select(c => new Measurement<int>((int)c.BreakerState, Cluster(c.ClusterId))),
            description: "Circuit breaker state as requests meet it: 0 closed (a destination's circuit is), 1 open (every one is), 2 half-open.");
        meter.CreateObservableGauge(EnrichProxyDiagnostics.UpstreamDestinationCircuitState,
            () => Clusters.SelectMany(c => c.Destinations.Select(d => new Measurement<int>(
                (int)d.Circuit.Breaker.State, Cluster(c.ClusterId), new(EnrichProxyDiagnostics.DestinationTag, d.Id)))),
            description: "Circuit breaker state of each destination: 0 closed, 1 open, 2 half-open.");
        meter.CreateObservableGauge(EnrichProxyDiagnostics.UpstreamPaused,
            () => Clusters.Select(c => new Measurement<int>(c.Pause.Remaining is null ? 0 : 1, Cluster(c.ClusterId))),
            description: "1 while the upstream has asked for a pause.");
        _watch = upstreams.OnChange(RebuildChanged);
    }

    /// <summary>The clusters YARP holds now: one taken out of the configuration leaves health, stats and notifications.</summary>
    public IEnumerable<ClusterResilience> Clusters => _clusters.Values.Where(cluster => _proxyState.Value.TryGetCluster(cluster.ClusterId, out _));

    public ClusterResilience For(string clusterId)
    {
        if (_clusters.TryGetValue(clusterId, out var existing))
        {
            return existing;
        }

        // Created once: each owns a token bucket and its refill timer.
        lock (_creating)
        {
            return _clusters.GetOrAdd(clusterId, Build);
        }
    }

    public void Dispose()
    {
        _watch?.Dispose();
        foreach (var cluster in _clusters.Values)
        {
            cluster.Dispose();
        }
    }

    private ClusterResilience Build(string clusterId) => Build(clusterId, previous: null);

    private ClusterResilience Build(string clusterId, ClusterResilience? previous)
    {
        var options = _upstreams.Get(clusterId);
        _builtFrom[clusterId] = PipelineSettings(options);
        return new ClusterResilience(
            clusterId, options, () => DestinationsOf(clusterId), _time, _metrics, _loggers.CreateLogger<ClusterResilience>(), previous);
    }

    // A cluster whose pipeline settings changed (rate limit, retries, breaker, timeouts, failover order) gets a new
    // pipeline with fresh circuits, keeping a pause its upstream asked for and its last failure; the others, and clusters
    // where only a key or a user agent changed (read per request), keep theirs. The old one is disposed once requests in
    // flight are done with it: after its total timeout.
    private void RebuildChanged()
    {
        lock (_creating)
        {
            foreach (var (clusterId, old) in _clusters)
            {
                if (_builtFrom.TryGetValue(clusterId, out var builtFrom) && builtFrom == PipelineSettings(_upstreams.Get(clusterId)))
                {
                    continue;
                }

                _clusters[clusterId] = Build(clusterId, old);
                _ = Task.Delay(old.TotalTimeout + TimeSpan.FromMinutes(1)).ContinueWith(_ => old.Dispose(), TaskScheduler.Default);
            }
        }
    }

    private static string PipelineSettings(UpstreamOptions options) =>
        JsonSerializer.Serialize(new { options.RateLimit, options.Retry, options.CircuitBreaker, options.Timeouts, options.FailoverOrder });

    private IReadOnlyList<DestinationState>? DestinationsOf(string clusterId) =>
        _proxyState.Value.TryGetCluster(clusterId, out var cluster) ? cluster.DestinationsState.AllDestinations : null;

    private static KeyValuePair<string, object?> Cluster(string clusterId) => new(EnrichProxyDiagnostics.ClusterTag, clusterId);
}

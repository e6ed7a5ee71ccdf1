using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using EnrichProxy.Configuration;
using EnrichProxy.Telemetry;
using Microsoft.Extensions.Options;

namespace EnrichProxy.Interception;

/// <summary>
/// What the forward proxy and the TLS front door did: requests and cache results per intercepted host, tunnels
/// opened and open, bytes tunnelled, refusals by reason. Plain counters read by observable instruments, as
/// the cache's are, and by <c>/admin/stats</c>.
/// </summary>
internal sealed class InterceptionMetrics
{
    private readonly ConcurrentDictionary<(string Host, string Result), StrongBox> _requests = new();
    private readonly ConcurrentDictionary<ProxyRefusal, StrongBox> _refused = new();
    private long _tunnels;
    private long _intercepted;
    private long _open;
    private long _bytesSent;
    private long _bytesReceived;

    /// <summary>The <c>result</c> labels of a request for an intercepted host (the X-Cache values, and none).</summary>
    public static readonly string[] Results = ["hit", "miss", "stale", "bypass", "none"];

    public InterceptionMetrics(IMeterFactory meterFactory, IOptions<EnrichProxyOptions> options)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        ArgumentNullException.ThrowIfNull(options);
        // Every series starts at zero, so that rates and ratios have a start and dashboards a line before the first event.
        foreach (var host in InterceptedHosts.Normalize(options.Value.ForwardProxy.InterceptHosts))
        {
            foreach (var result in Results)
            {
                _requests[(host, result)] = new StrongBox();
            }
        }

        foreach (var reason in Enum.GetValues<ProxyRefusal>())
        {
            _refused[reason] = new StrongBox();
        }

        var meter = meterFactory.Create(EnrichProxyDiagnostics.MeterName);
        meter.CreateObservableCounter(EnrichProxyDiagnostics.InterceptedRequests, ObserveRequests, unit: "{request}", description: "Requests for intercepted hosts, by host and cache result.");
        meter.CreateObservableCounter(EnrichProxyDiagnostics.ForwardProxyTunnels, ObserveTunnels, unit: "{connection}", description: "CONNECT requests accepted, by kind (tunnel or intercepted).");
        meter.CreateObservableUpDownCounter(EnrichProxyDiagnostics.ForwardProxyTunnelsOpen, () => Volatile.Read(ref _open), unit: "{connection}", description: "Tunnels and intercepted connections open now.");
        meter.CreateObservableCounter(EnrichProxyDiagnostics.ForwardProxyTunnelledBytes, ObserveBytes, unit: "By", description: "Bytes passed through untouched tunnels, by direction.");
        meter.CreateObservableCounter(EnrichProxyDiagnostics.ForwardProxyRefused, ObserveRefused, unit: "{request}", description: "Forward-proxy and front-door requests refused, by reason.");
    }

    public long TunnelsOpened => Volatile.Read(ref _tunnels);

    public long InterceptedConnections => Volatile.Read(ref _intercepted);

    public long Open => Volatile.Read(ref _open);

    public long BytesSent => Volatile.Read(ref _bytesSent);

    public long BytesReceived => Volatile.Read(ref _bytesReceived);

    /// <summary>Requests by intercepted host and cache result.</summary>
    public IEnumerable<(string Host, string Result, long Count)> Requests => _requests.Select(pair => (pair.Key.Host, pair.Key.Result, pair.Value.Value));

    /// <summary>Refusals by reason.</summary>
    public IEnumerable<(ProxyRefusal Reason, long Count)> Refusals => _refused.Select(pair => (pair.Key, pair.Value.Value));

    public void Answered(string host, string result) => Interlocked.Increment(ref _requests.GetOrAdd((host, result), static _ => new StrongBox()).Value);

    public void Refused(ProxyRefusal reason) => Interlocked.Increment(ref _refused.GetOrAdd(reason, static _ => new StrongBox()).Value);

    /// <summary>A tunnel or intercepted connection opened; dispose the result when it closes.</summary>
    public OpenConnection Opened(bool intercepted)
    {
        Interlocked.Increment(ref intercepted ? ref _intercepted : ref _tunnels);
        Interlocked.Increment(ref _open);
        return new OpenConnection(this);
    }

    public void Sent(int bytes) => Interlocked.Add(ref _bytesSent, bytes);

    public void Received(int bytes) => Interlocked.Add(ref _bytesReceived, bytes);

    /// <summary>The <c>reason</c> label of a refusal.</summary>
    public static string Label(ProxyRefusal reason) => reason switch
    {
        ProxyRefusal.Credentials => "credentials",
        ProxyRefusal.Port => "port",
        ProxyRefusal.Address => "address",
        ProxyRefusal.Unresolvable => "unresolvable",
        ProxyRefusal.Capacity => "capacity",
        ProxyRefusal.BadRequest => "bad_request",
        _ => "misdirected",
    };

    private IEnumerable<Measurement<long>> ObserveRequests() => _requests.Select(pair => new Measurement<long>(
        pair.Value.Value,
        new KeyValuePair<string, object?>(EnrichProxyDiagnostics.HostTag, pair.Key.Host),
        new KeyValuePair<string, object?>(EnrichProxyDiagnostics.ResultTag, pair.Key.Result)));

    private IEnumerable<Measurement<long>> ObserveTunnels()
    {
        yield return new(TunnelsOpened, new KeyValuePair<string, object?>(EnrichProxyDiagnostics.KindTag, "tunnel"));
        yield return new(InterceptedConnections, new KeyValuePair<string, object?>(EnrichProxyDiagnostics.KindTag, "intercepted"));
    }

    private IEnumerable<Measurement<long>> ObserveBytes()
    {
        yield return new(BytesSent, new KeyValuePair<string, object?>(EnrichProxyDiagnostics.DirectionTag, "sent"));
        yield return new(BytesReceived, new KeyValuePair<string, object?>(EnrichProxyDiagnostics.DirectionTag, "received"));
    }

    private IEnumerable<Measurement<long>> ObserveRefused() => _refused.Select(pair => new Measurement<long>(
        pair.Value.Value, new KeyValuePair<string, object?>(EnrichProxyDiagnostics.ReasonTag, Label(pair.Key))));

    /// <summary>Counts one open connection down when disposed.</summary>
    internal readonly struct OpenConnection(InterceptionMetrics metrics) : IDisposable
    {
        public void Dispose() => Interlocked.Decrement(ref metrics._open);
    }

    private sealed class StrongBox
    {
        public long Value;
    }
}

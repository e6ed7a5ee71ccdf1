using System.Collections.Concurrent;
using EnrichProxy.Configuration;
using Yarp.ReverseProxy.Model;

namespace EnrichProxy.Upstreams.Resilience;

/// <summary>
/// One cluster's destinations as YARP holds them now, in failover order, each with its circuit, and what they say
/// together: the circuit requests meet, and whether every destination is failing. A destination keeps its circuit
/// across configuration changes while its name stays.
/// </summary>
internal sealed partial class ClusterDestinations
{
    private readonly string _clusterId;
    private readonly Func<IReadOnlyList<DestinationState>?> _current;
    private readonly IReadOnlyList<string> _failoverOrder;
    private readonly CircuitBreakerOptions _breaker;
    private readonly TimeProvider _time;
    private readonly UpstreamMetrics _metrics;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, DestinationCircuit> _circuits = new(StringComparer.OrdinalIgnoreCase);
    private DestinationSet _built = DestinationSet.Empty;

    /// <param name="clusterId">The cluster.</param>
    /// <param name="options">Its failover order and circuit breaker settings.</param>
    /// <param name="current">The cluster's destinations as YARP holds them now; null until it has the cluster.</param>
    /// <param name="time">The clock of the circuits.</param>
    /// <param name="metrics">Where failovers are counted.</param>
    /// <param name="logger">Where circuits opening and closing are logged.</param>
    public ClusterDestinations(
        string clusterId, UpstreamOptions options, Func<IReadOnlyList<DestinationState>?> current, TimeProvider time, UpstreamMetrics metrics, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _clusterId = clusterId;
        _current = current;
        _failoverOrder = options.FailoverOrder;
        _breaker = options.CircuitBreaker;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        Unlisted = NewCircuit("(unlisted)");
    }

    /// <summary>The circuit of requests to an address the cluster does not list (none seen in practice).</summary>
    public DestinationCircuit Unlisted { get; }

    /// <summary>The circuit as requests meet it: closed while any destination's is, open only when every one is.</summary>
    public CircuitState State
    {
        get
        {
            var destinations = Current().InOrder;
            if (destinations.Count == 0)
            {
                return Unlisted.Breaker.State;
            }

            var best = CircuitState.Open;
            foreach (var destination in destinations)
            {
                var state = destination.Circuit.Breaker.State;
                if (state == CircuitState.Closed)
                {
                    return state;
                }

                best = state == CircuitState.HalfOpen ? state : best;
            }

            return best;
        }
    }

    /// <summary>Whether every destination's circuit is open or refused a connection a moment ago (<see cref="DestinationCircuit.RefusedWindow"/>).</summary>
    public bool AllFailing
    {
        get
        {
            var destinations = Current().InOrder;
            if (destinations.Count == 0)
            {
                return Unlisted.IsKnownFailing;
            }

            foreach (var destination in destinations)
            {
                if (!destination.Circuit.IsKnownFailing)
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>The destinations as configured now, rebuilt only when YARP's change.</summary>
    public DestinationSet Current()
    {
        var built = _built;
        if (_current() is not { } destinations || built.IsBuiltFrom(destinations))
        {
            return built;
        }

        var rebuilt = DestinationSet.Build(destinations, _failoverOrder, id => _circuits.GetOrAdd(id, NewCircuit));
        _built = rebuilt;
        if (rebuilt.FailsOver)
        {
            // Started at zero, as every counted series is, for alerts to see before the first failover.
            foreach (var fallback in rebuilt.InOrder.Skip(1))
            {
                _metrics.FailedOver(_clusterId, fallback.Id, count: 0);
            }
        }

        return rebuilt;
    }

    private DestinationCircuit NewCircuit(string destinationId)
    {
        var circuit = new DestinationCircuit(destinationId, _breaker.FailuresBeforeOpening, _breaker.BreakDuration, _time);
        circuit.Breaker.Changed += breakDuration =>
        {
            if (breakDuration > TimeSpan.Zero)
            {
                LogCircuitOpened(_logger, _clusterId, destinationId, breakDuration);
            }
            else
            {
                LogCircuitClosed(_logger, _clusterId, destinationId);
            }
        };
        return circuit;
    }

    [LoggerMessage(EventId = 2102, EventName = "CircuitOpened", Level = LogLevel.Warning,
        Message = "Circuit of cluster {ClusterId} ({Destination}) opened for {BreakDuration} after consecutive failures")]
    private static partial void LogCircuitOpened(ILogger logger, string clusterId, string destination, TimeSpan breakDuration);

    [LoggerMessage(EventId = 2103, EventName = "CircuitClosed", Level = LogLevel.Information,
        Message = "Circuit of cluster {ClusterId} ({Destination}) closed again")]
    private static partial void LogCircuitClosed(ILogger logger, string clusterId, string destination);
}

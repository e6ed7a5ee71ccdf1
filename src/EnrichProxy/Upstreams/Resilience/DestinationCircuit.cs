namespace EnrichProxy.Upstreams.Resilience;

/// <summary>
/// The health of one destination of a cluster as its own attempts tell it: a circuit breaker that opens
/// after failures in a row, and whether its last attempt found nothing listening. A cluster with several
/// destinations keeps one per destination, so a mirror is not shut out for its primary's failures.
/// </summary>
internal sealed class DestinationCircuit
{
    private readonly TimeProvider _time;
    private long _refusedUntilTicks;

    public DestinationCircuit(string destinationId, int failuresBeforeOpening, TimeSpan breakDuration, TimeProvider time)
    {
        DestinationId = destinationId;
        _time = time;
        Breaker = new ConsecutiveFailureBreaker(failuresBeforeOpening, breakDuration, time);
    }

    /// <summary>
    /// How long a refused connection marks the destination as failing for requests with a stale answer standing by:
    /// they are answered stale without an attempt until then, and the first one after it tries again.
    /// </summary>
    public static readonly TimeSpan RefusedWindow = TimeSpan.FromSeconds(2);

    public string DestinationId { get; }

    public ConsecutiveFailureBreaker Breaker { get; }

    /// <summary>Whether an attempt was refused (no connection) within <see cref="RefusedWindow"/>, with no success since.</summary>
    public bool RefusedRecently => _time.GetUtcNow().UtcTicks < Volatile.Read(ref _refusedUntilTicks);

    /// <summary>
    /// Whether a request is known to fail here now: the circuit is open (or half-open with its probe on its way, which
    /// refuses every other attempt), or nothing was listening a moment ago.
    /// </summary>
    public bool IsKnownFailing => Breaker.IsOpenOrProbing || RefusedRecently;

    public void OnRefusedConnection() => Volatile.Write(ref _refusedUntilTicks, (_time.GetUtcNow() + RefusedWindow).UtcTicks);

    public void OnAnswered() => Volatile.Write(ref _refusedUntilTicks, 0);
}

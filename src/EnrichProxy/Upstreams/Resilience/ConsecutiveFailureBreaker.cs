namespace EnrichProxy.Upstreams.Resilience;

/// <summary>The state of a cluster's circuit, as published in metrics (the numbers are the gauge's values).</summary>
internal enum CircuitState
{
    Closed = 0,
    Open = 1,
    HalfOpen = 2,
}

/// <summary>How a circuit's state reads in health reports and the stats endpoint.</summary>
internal static class CircuitStateText
{
    public static string Describe(this CircuitState state) => state switch
    {
        CircuitState.Closed => "closed",
        CircuitState.Open => "open",
        _ => "half-open",
    };
}

/// <summary>
/// Opens after a number of failed attempts in a row, sends nothing for the break, then lets one probe
/// through: its success closes the circuit, its failure opens it again. Polly's breaker counts a failure
/// ratio over a time window instead, so after a window full of successes an upstream that went down
/// keeps being called until they age out; "in a row" is what an operator means by "the upstream is down".
/// </summary>
internal sealed class ConsecutiveFailureBreaker(int failuresBeforeOpening, TimeSpan breakDuration, TimeProvider time)
{
    private readonly Lock _gate = new();
    private int _failures;
    private DateTimeOffset _openUntil;
    private bool _probing;

    /// <summary>Raised with the break duration when the circuit opens, and with <see cref="TimeSpan.Zero"/> when it closes.</summary>
    public event Action<TimeSpan>? Changed;

    public CircuitState State
    {
        get
        {
            lock (_gate)
            {
                return _failures < failuresBeforeOpening ? CircuitState.Closed
                    : time.GetUtcNow() < _openUntil ? CircuitState.Open
                    : CircuitState.HalfOpen;
            }
        }
    }

    /// <summary>Whether the circuit is open (not yet half-open), and for how long still. Takes no probe slot.</summary>
    public bool IsOpen(out TimeSpan untilProbe)
    {
        lock (_gate)
        {
            untilProbe = _openUntil - time.GetUtcNow();
            return _failures >= failuresBeforeOpening && untilProbe > TimeSpan.Zero;
        }
    }

    /// <summary>Whether an attempt would be refused now: the circuit is open, or half-open with its one probe on its way.</summary>
    public bool IsOpenOrProbing
    {
        get
        {
            lock (_gate)
            {
                return _failures >= failuresBeforeOpening && (_probing || time.GetUtcNow() < _openUntil);
            }
        }
    }

    /// <summary>
    /// Whether an attempt may go; if not, <paramref name="retryAfter"/> says how long until the next probe
    /// may. <paramref name="isProbe"/> says whether this attempt is the one probe after a break, whose
    /// verdict decides.
    /// </summary>
    public bool TryEnter(out TimeSpan retryAfter, out bool isProbe)
    {
        lock (_gate)
        {
            retryAfter = TimeSpan.Zero;
            isProbe = false;
            if (_failures < failuresBeforeOpening)
            {
                return true;
            }

            var now = time.GetUtcNow();
            if (now < _openUntil)
            {
                retryAfter = _openUntil - now;
                return false;
            }

            if (_probing)
            {
                // One probe at a time; the others wait for its verdict.
                retryAfter = TimeSpan.FromSeconds(1);
                return false;
            }

            _probing = true;
            isProbe = true;
            return true;
        }
    }

    /// <summary>
    /// The attempt reached the upstream and it answered (anything but a failure). A probe's success
    /// closes the circuit; while it is open, successes of attempts sent before it opened change nothing.
    /// </summary>
    public void OnSuccess(bool isProbe)
    {
        lock (_gate)
        {
            if (!isProbe)
            {
                if (_failures < failuresBeforeOpening)
                {
                    _failures = 0;
                }

                return;
            }

            _failures = 0;
            _probing = false;
        }

        Changed?.Invoke(TimeSpan.Zero);
    }

    /// <summary>
    /// The attempt failed: a connection error, a timeout or a 5xx. The last failure in a row opens the
    /// circuit, a probe's failure opens it again; failures of attempts sent before it opened change nothing.
    /// </summary>
    public void OnFailure(bool isProbe)
    {
        lock (_gate)
        {
            if (!isProbe)
            {
                if (_failures >= failuresBeforeOpening || ++_failures < failuresBeforeOpening)
                {
                    return;
                }
            }

            _probing = false;
            _openUntil = time.GetUtcNow() + breakDuration;
        }

        Changed?.Invoke(breakDuration);
    }

    /// <summary>The attempt ended without a verdict (the client left, no permit): a probe frees its slot.</summary>
    public void OnAbandoned(bool isProbe)
    {
        if (!isProbe)
        {
            return;
        }

        lock (_gate)
        {
            _probing = false;
        }
    }
}

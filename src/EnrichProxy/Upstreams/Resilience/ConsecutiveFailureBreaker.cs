namespace EnrichProxy.Upstreams.Resilience;

/// <summary>The state of a cluster's circuit, as published in metrics (the numbers are the gauge's values).</summary>
internal enum CircuitState
{
    Closed = 0,
    Open = 1,
    HalfOpen = 2,
}

/// <summary>
/// Opens after a number of failed attempts in a row, sends nothing for the break, then lets one probe
/// through: its success closes the circuit, its failure opens it again. Polly's breaker counts a failure
/// ratio over a time window instead, so after an hour of successes an upstream that went down keeps
/// being called for the whole window; "in a row" is what an operator means by "the upstream is down".
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

    /// <summary>Whether an attempt may go; if not, how long until the next probe may.</summary>
    public bool TryEnter(out TimeSpan retryAfter)
    {
        lock (_gate)
        {
            retryAfter = TimeSpan.Zero;
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
            return true;
        }
    }

    /// <summary>The attempt reached the upstream and it answered (anything but a failure).</summary>
    public void OnSuccess()
    {
        bool closed;
        lock (_gate)
        {
            closed = _failures >= failuresBeforeOpening;
            _failures = 0;
            _probing = false;
        }

        if (closed)
        {
            Changed?.Invoke(TimeSpan.Zero);
        }
    }

    /// <summary>The attempt failed: a connection error, a timeout or a 5xx.</summary>
    public void OnFailure()
    {
        bool opened;
        lock (_gate)
        {
            // Opens when the count reaches the threshold, and again when a probe fails; attempts already
            // under way when it opened change nothing.
            var wasOpen = _failures >= failuresBeforeOpening;
            _failures = Math.Min(_failures + 1, failuresBeforeOpening);
            opened = _failures >= failuresBeforeOpening && (!wasOpen || _probing);
            if (opened)
            {
                _openUntil = time.GetUtcNow() + breakDuration;
            }

            _probing = false;
        }

        if (opened)
        {
            Changed?.Invoke(breakDuration);
        }
    }

    /// <summary>The attempt ended without a verdict (the client left): a probe slot is freed, nothing else changes.</summary>
    public void OnAbandoned()
    {
        lock (_gate)
        {
            _probing = false;
        }
    }
}

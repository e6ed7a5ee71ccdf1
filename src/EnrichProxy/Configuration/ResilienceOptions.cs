namespace EnrichProxy.Configuration;

/// <summary>
/// The outbound rate limit of one cluster (<c>EnrichProxy:Upstreams:&lt;cluster&gt;:RateLimit</c>): a token
/// bucket refilled at <see cref="PermitsPerSecond"/> that holds at most <see cref="Burst"/> permits.
/// </summary>
internal sealed class RateLimitOptions
{
    /// <summary>Requests per second the upstream may see. 0 (the default): no limit.</summary>
    public double PermitsPerSecond { get; init; }

    /// <summary>Permits that may be spent at once after a quiet spell. Default: one second's worth, at least 1.</summary>
    public int? Burst { get; init; }

    /// <summary>The longest a client request waits for a permit before it is answered stale or refused.</summary>
    public TimeSpan MaxWait { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Client requests that may wait for a permit at once; past it they are refused at once.</summary>
    public int QueueLimit { get; init; } = 1000;

    internal bool IsEnabled => PermitsPerSecond > 0;

    internal int EffectiveBurst => Burst ?? Math.Max(1, (int)Math.Ceiling(PermitsPerSecond));
}

/// <summary>Retries of idempotent requests (<c>…:Retry</c>): jittered exponential back-off.</summary>
internal sealed class RetryOptions
{
    /// <summary>Retries after the first attempt. 0 turns retries off.</summary>
    public int MaxRetries { get; init; } = 2;

    /// <summary>The first back-off; each later one doubles it, with jitter.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);
}

/// <summary>The circuit breaker of one cluster (<c>…:CircuitBreaker</c>).</summary>
internal sealed class CircuitBreakerOptions
{
    /// <summary>Failed attempts in a row (connection errors, timeouts, 5xx) that open the circuit.</summary>
    public int FailuresBeforeOpening { get; init; } = 5;

    /// <summary>How long the circuit stays open before one probe request is let through.</summary>
    public TimeSpan BreakDuration { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>Timeouts of upstream requests (<c>…:Timeouts</c>).</summary>
internal sealed class UpstreamTimeoutOptions
{
    /// <summary>The longest one attempt may take, until the response headers arrive.</summary>
    public TimeSpan Attempt { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest all attempts and back-offs together may take.</summary>
    public TimeSpan Total { get; init; } = TimeSpan.FromSeconds(30);
}

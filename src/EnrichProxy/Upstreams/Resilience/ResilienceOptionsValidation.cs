using EnrichProxy.Configuration;

namespace EnrichProxy.Upstreams.Resilience;

/// <summary>The bounds of an upstream's resilience settings: what Polly and the rate limiter accept, in words.</summary>
internal static class ResilienceOptionsValidation
{
    private static readonly TimeSpan HalfSecond = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan OneDay = TimeSpan.FromDays(1);

    public static void Validate(string prefix, UpstreamOptions upstream, List<string> errors)
    {
        var rateLimit = upstream.RateLimit;
        if (rateLimit.PermitsPerSecond < 0 || double.IsNaN(rateLimit.PermitsPerSecond))
        {
            errors.Add($"{prefix}:RateLimit:PermitsPerSecond cannot be negative (got {rateLimit.PermitsPerSecond}; 0 means no limit).");
        }

        if (rateLimit.Burst is < 1)
        {
            errors.Add($"{prefix}:RateLimit:Burst must be at least 1 (got {rateLimit.Burst}).");
        }

        Within(rateLimit.MaxWait, TimeSpan.FromMilliseconds(1), OneDay, $"{prefix}:RateLimit:MaxWait", errors);
        if (rateLimit.QueueLimit < 0)
        {
            errors.Add($"{prefix}:RateLimit:QueueLimit cannot be negative (got {rateLimit.QueueLimit}).");
        }

        if (upstream.Retry.MaxRetries is < 0 or > 10)
        {
            errors.Add($"{prefix}:Retry:MaxRetries must be between 0 and 10 (got {upstream.Retry.MaxRetries}).");
        }

        Within(upstream.Retry.BaseDelay, TimeSpan.Zero, OneDay, $"{prefix}:Retry:BaseDelay", errors);

        var breaker = upstream.CircuitBreaker;
        if (breaker.FailuresBeforeOpening < 2)
        {
            errors.Add($"{prefix}:CircuitBreaker:FailuresBeforeOpening must be at least 2 (got {breaker.FailuresBeforeOpening}).");
        }

        Within(breaker.BreakDuration, HalfSecond, OneDay, $"{prefix}:CircuitBreaker:BreakDuration", errors);

        var timeouts = upstream.Timeouts;
        Within(timeouts.Attempt, TimeSpan.FromMilliseconds(10), OneDay, $"{prefix}:Timeouts:Attempt", errors);
        Within(timeouts.Total, TimeSpan.FromMilliseconds(10), OneDay, $"{prefix}:Timeouts:Total", errors);
        if (rateLimit.IsEnabled && rateLimit.MaxWait >= timeouts.Total)
        {
            errors.Add($"{prefix}:RateLimit:MaxWait ({rateLimit.MaxWait}) must be shorter than Timeouts:Total ({timeouts.Total}).");
        }

        if (timeouts.Attempt > timeouts.Total)
        {
            errors.Add($"{prefix}:Timeouts:Attempt ({timeouts.Attempt}) cannot be longer than Timeouts:Total ({timeouts.Total}).");
        }
    }

    private static void Within(TimeSpan value, TimeSpan minimum, TimeSpan maximum, string key, List<string> errors)
    {
        if (value < minimum || value > maximum)
        {
            errors.Add($"{key} must be between {minimum} and {maximum} (got {value}).");
        }
    }
}

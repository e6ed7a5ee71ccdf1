namespace EnrichProxy.Upstreams.Resilience;

/// <summary>
/// What an operator asks of a cluster beyond its circuit and pause (the status page and <c>/admin/stats</c>): the
/// last failure and when, and how many requests waited for a rate-limit permit. Never a URL or a query: the what of
/// a failure is a status code or an error kind.
/// </summary>
internal sealed class ClusterReport(TimeProvider time)
{
    private UpstreamFailure? _lastFailure;
    private long _rateLimitWaits;

    public UpstreamFailure? LastFailure => Volatile.Read(ref _lastFailure);

    public long RateLimitWaits => Interlocked.Read(ref _rateLimitWaits);

    public void Failed(string what) => Volatile.Write(ref _lastFailure, new UpstreamFailure(what, time.GetUtcNow()));

    public void WaitedForPermit() => Interlocked.Increment(ref _rateLimitWaits);
}

/// <summary>A failed attempt: <paramref name="What"/> is "answered 503", "no answer in time" or an error kind.</summary>
internal sealed record UpstreamFailure(string What, DateTimeOffset At);

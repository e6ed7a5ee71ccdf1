using System.Globalization;
using System.Net;

namespace EnrichProxy.Upstreams.Resilience;

/// <summary>
/// A pause an upstream asked for: 429 or 503 with <c>Retry-After</c>, or rate-limit headers saying no
/// request is left until a reset (MusicBrainz's <c>X-RateLimit-Remaining: 0</c> with
/// <c>X-RateLimit-Reset</c>). Until it ends, nothing is sent to that cluster.
/// </summary>
internal sealed class ClusterPause(TimeProvider time)
{
    // A pause longer than this is taken as a misconfigured upstream, not an instruction.
    private static readonly TimeSpan LongestPause = TimeSpan.FromHours(1);

    private static readonly long MaxUnixSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    private long _pausedUntilTicks;
    private string? _reason;

    /// <summary>The time left in the pause, or null when requests may go.</summary>
    public TimeSpan? Remaining
    {
        get
        {
            var left = new DateTimeOffset(Interlocked.Read(ref _pausedUntilTicks), TimeSpan.Zero) - time.GetUtcNow();
            return left > TimeSpan.Zero ? left : null;
        }
    }

    /// <summary>Why the current or last pause began: "answered 429 with Retry-After", "X-RateLimit-Remaining: 0".</summary>
    public string? Reason => Volatile.Read(ref _reason);

    /// <summary>Starts or extends a pause from what the answer says.</summary>
    /// <returns>The pause asked for, or null when the answer asks for none.</returns>
    public TimeSpan? Observe(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var now = time.GetUtcNow();
        var (pause, reason) = RequestedPause(response, now);
        if (pause is not { } length || length <= TimeSpan.Zero)
        {
            return null;
        }

        Volatile.Write(ref _reason, reason);

        length = length > LongestPause ? LongestPause : length;
        var until = (now + length).UtcTicks;
        long current;
        do
        {
            current = Interlocked.Read(ref _pausedUntilTicks);
            if (current >= until)
            {
                break;
            }
        }
        while (Interlocked.CompareExchange(ref _pausedUntilTicks, until, current) != current);

        return length;
    }

    private static (TimeSpan? Pause, string? Reason) RequestedPause(HttpResponseMessage response, DateTimeOffset now)
    {
        if (response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable
            && response.Headers.RetryAfter is { } retryAfter)
        {
            return (retryAfter.Delta ?? retryAfter.Date - now, $"answered {(int)response.StatusCode} with Retry-After");
        }

        if (Header(response, "X-RateLimit-Remaining") is "0"
            && long.TryParse(Header(response, "X-RateLimit-Reset"), NumberStyles.None, CultureInfo.InvariantCulture, out var resetEpochSeconds)
            && resetEpochSeconds <= MaxUnixSeconds)
        {
            return (DateTimeOffset.FromUnixTimeSeconds(resetEpochSeconds) - now, "X-RateLimit-Remaining: 0 until X-RateLimit-Reset");
        }

        return (null, null);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault()?.Trim() : null;
}

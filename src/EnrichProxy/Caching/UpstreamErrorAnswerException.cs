using EnrichProxy.Upstreams;

namespace EnrichProxy.Caching;

/// <summary>
/// Thrown from a fill's factory when the upstream answered with a failure (5xx, 429, 408), so that
/// FusionCache's fail-safe falls back on a stale entry; the fill turns it back into the upstream's answer
/// when there is none.
/// </summary>
#pragma warning disable CA1032 // Only the fill throws and catches it, always with an answer.
internal sealed class UpstreamErrorAnswerException : Exception
#pragma warning restore CA1032
{
    public UpstreamErrorAnswerException(UpstreamAnswer answer)
        : base($"The upstream answered {answer?.StatusCode}.")
    {
        ArgumentNullException.ThrowIfNull(answer);
        Answer = answer;
    }

    public UpstreamAnswer Answer { get; }
}

namespace EnrichProxy.Caching;

/// <summary>
/// Thrown by a fill when the upstream answered with a failure, so that FusionCache's fail-safe serves
/// the stale answer when there is one; otherwise the client gets <see cref="Answer"/> as the upstream sent it.
/// </summary>
#pragma warning disable CA1032 // It always carries the upstream's answer; the parameterless forms would not.
internal sealed class UpstreamFailureException : Exception
#pragma warning restore CA1032
{
    public UpstreamFailureException(CachedResponse answer)
        : base($"The upstream answered {answer?.StatusCode}.")
    {
        ArgumentNullException.ThrowIfNull(answer);
        Answer = answer;
    }

    public CachedResponse Answer { get; }
}

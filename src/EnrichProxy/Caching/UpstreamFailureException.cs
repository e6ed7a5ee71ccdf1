namespace EnrichProxy.Caching;

/// <summary>
/// Thrown by a fill when the upstream answered with a failure, so that FusionCache's fail-safe serves
/// the stale answer when there is one; otherwise the client gets <see cref="Answer"/> as the upstream sent it.
/// </summary>
internal sealed class UpstreamFailureException : Exception
{
    public UpstreamFailureException()
        : this(CachedResponse.NotShared)
    {
    }

    public UpstreamFailureException(string message)
        : base(message)
    {
        Answer = CachedResponse.NotShared;
    }

    public UpstreamFailureException(string message, Exception innerException)
        : base(message, innerException)
    {
        Answer = CachedResponse.NotShared;
    }

    public UpstreamFailureException(CachedResponse answer)
        : base($"The upstream answered {answer?.StatusCode}.")
    {
        Answer = answer ?? CachedResponse.NotShared;
    }

    public CachedResponse Answer { get; }
}

namespace EnrichProxy.Upstreams;

/// <summary>The upstream could not be asked at all (no route, no destination left, a transform refused).</summary>
internal sealed class UpstreamUnavailableException : Exception
{
    public UpstreamUnavailableException()
    {
    }

    public UpstreamUnavailableException(string message)
        : base(message)
    {
    }

    public UpstreamUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

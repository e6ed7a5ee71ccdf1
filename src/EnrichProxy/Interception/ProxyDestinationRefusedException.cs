namespace EnrichProxy.Interception;

/// <summary>A destination the forward proxy refused to reach.</summary>
internal sealed class ProxyDestinationRefusedException(ProxyRefusal reason, string message) : HttpRequestException(message)
{
    public ProxyRefusal Reason { get; } = reason;
}

namespace EnrichProxy.Interception;

/// <summary>
/// Set on the connections of the interception listeners (the main port has none), so that their requests are
/// routed by host and never reach the proxy's own endpoints.
/// </summary>
/// <param name="Listener">The listener.</param>
/// <param name="TunnelHost">For a CONNECT whose TLS the proxy terminated: the host the client asked for.</param>
internal sealed record ProxyListenerFeature(ProxyListener Listener, string? TunnelHost)
{
    public static readonly ProxyListenerFeature PlainForwardProxy = new(ProxyListener.ForwardProxy, null);

    public static readonly ProxyListenerFeature FrontDoor = new(ProxyListener.FrontDoor, null);
}

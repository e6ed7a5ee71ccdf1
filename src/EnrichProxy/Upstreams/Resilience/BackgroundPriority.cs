namespace EnrichProxy.Upstreams.Resilience;

/// <summary>
/// Marks an upstream request as background work, which takes its rate-limit permit after clients. A fill a
/// background job started stops being background the moment a client joins it: the client must not wait
/// behind other clients for a request it now needs.
/// </summary>
internal sealed class BackgroundPriority
{
    private volatile bool _isBackground = true;

    public bool IsBackground => _isBackground;

    /// <summary>A client now waits for this request: from here on it takes permits as a client.</summary>
    public void RaiseToClient() => _isBackground = false;
}

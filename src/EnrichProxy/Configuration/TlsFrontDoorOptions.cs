namespace EnrichProxy.Configuration;

/// <summary>
/// The TLS front door (<c>EnrichProxy:TlsFrontDoor</c>): an HTTPS listener for setups that point the metadata
/// host names at the proxy (DNS, <c>extra_hosts</c>). It answers the intercepted hosts only, with certificates
/// of the proxy's own CA.
/// </summary>
internal sealed class TlsFrontDoorOptions
{
    /// <summary>Whether the listener runs. Default false.</summary>
    public bool Enabled { get; init; }

    /// <summary>Where it listens. Default <c>https://0.0.0.0:443</c>.</summary>
    public string Url { get; init; } = "https://0.0.0.0:443";
}

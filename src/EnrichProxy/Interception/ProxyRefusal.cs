namespace EnrichProxy.Interception;

/// <summary>Why the forward proxy refused a request; the label of <c>enrichproxy_forward_proxy_refused_total</c>.</summary>
internal enum ProxyRefusal
{
    /// <summary>No or wrong proxy credentials, or a client outside the private networks (407).</summary>
    Credentials,

    /// <summary>A port outside <c>AllowedPorts</c> (403).</summary>
    Port,

    /// <summary>An address the proxy must not reach: loopback, link-local, its own (403).</summary>
    Address,

    /// <summary>A host name that does not resolve (502).</summary>
    Unresolvable,

    /// <summary>Too many tunnels open (503).</summary>
    Capacity,

    /// <summary>Not a proxy request, or a malformed one (400).</summary>
    BadRequest,

    /// <summary>A request for another host than the tunnel's or the certificate's (421), or an unknown name at the front door.</summary>
    Misdirected,
}

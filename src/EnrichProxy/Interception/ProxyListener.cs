namespace EnrichProxy.Interception;

/// <summary>Which of the interception listeners a connection came in on.</summary>
internal enum ProxyListener
{
    /// <summary>The forward-proxy port: absolute-form <c>http://</c> requests, or an intercepted CONNECT tunnel.</summary>
    ForwardProxy,

    /// <summary>The TLS front door: the metadata host names pointed at the proxy.</summary>
    FrontDoor,
}

namespace EnrichProxy.Configuration;

/// <summary>
/// The forward-proxy listener (<c>EnrichProxy:ForwardProxy</c>) for apps whose metadata hosts are built in
/// (Radarr, Sonarr, Seerr, Jellyfin): their HTTP proxy setting points at it. See the README's "Apps with
/// built-in metadata hosts".
/// </summary>
internal sealed class ForwardProxyOptions
{
    /// <summary>Whether the listener runs. Default false.</summary>
    public bool Enabled { get; init; }

    /// <summary>Where it listens. Default <c>http://0.0.0.0:5081</c>.</summary>
    public string Url { get; init; } = "http://0.0.0.0:5081";

    /// <summary>
    /// The Basic proxy credentials clients must send (<c>Proxy-Authorization</c>). Unset: only loopback and private-network
    /// clients are served, judged by their address (a warning at start says what that means behind NAT or Docker).
    /// </summary>
    public string? Username { get; init; }

    /// <summary>See <see cref="Username"/>. Never logged.</summary>
    public string? Password { get; init; }

    /// <summary>The hosts whose HTTPS is terminated and answered through the cache; every other host is tunnelled untouched.</summary>
    public List<string> InterceptHosts { get; init; } = [];

    /// <summary>The ports CONNECT may reach (plain <c>http://</c> requests: port 80 and these). Default 443 only.</summary>
    public List<int> AllowedPorts { get; init; } = [443];

    /// <summary>
    /// Whether tunnels and plain-HTTP requests may reach loopback, link-local and the proxy's own addresses.
    /// Default false. Private networks (a LAN indexer) are reachable either way.
    /// </summary>
    public bool AllowLocalDestinations { get; init; }

    /// <summary>The most tunnels open at once; more are refused with 503. Default 256.</summary>
    [SettingRange(1, 100_000)]
    public int MaxTunnels { get; init; } = 256;

    /// <summary>A tunnel that carries no byte for this long is closed. Default 5 minutes.</summary>
    [SettingRange(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan TunnelIdleTimeout { get; init; } = TimeSpan.FromMinutes(5);

    internal bool RequiresCredentials => !string.IsNullOrEmpty(Password);
}

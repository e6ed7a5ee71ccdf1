namespace EnrichProxy.Configuration;

/// <summary>
/// The CA whose certificates the forward proxy and the TLS front door present for the intercepted hosts
/// (<c>EnrichProxy:CertificateAuthority</c>). Generated at first start unless the operator supplies one.
/// </summary>
internal sealed class CertificateAuthorityOptions
{
    /// <summary>Where a generated CA is kept (<c>ca.crt</c>, and <c>ca.key</c> readable by the process only). Default <c>data/ca</c>.</summary>
    public string Directory { get; init; } = "data/ca";

    /// <summary>An operator's CA certificate (PEM) instead of a generated one; with <see cref="KeyPath"/>.</summary>
    public string? CertificatePath { get; init; }

    /// <summary>The private key (PEM) of <see cref="CertificatePath"/>.</summary>
    public string? KeyPath { get; init; }

    /// <summary>How long a host's certificate is valid. Default 7 days; renewed when less than a third is left.</summary>
    [SettingRange(typeof(TimeSpan), "01:00:00", "90.00:00:00")]
    public TimeSpan LeafLifetime { get; init; } = TimeSpan.FromDays(7);
}

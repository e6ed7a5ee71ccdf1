using System.Collections.Concurrent;
using System.Formats.Asn1;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using EnrichProxy.Configuration;
using Microsoft.Extensions.Options;

namespace EnrichProxy.Interception;

/// <summary>
/// The proxy's own CA, whose certificates the forward proxy and the TLS front door present for the
/// intercepted hosts. Generated at first start into <see cref="CertificateAuthorityOptions.Directory"/> (the
/// key readable by the process only) unless the operator supplies one. A generated CA is name-constrained
/// (X.509 Name Constraints) to the intercepted hosts and to no IP address, so even a stolen key cannot
/// impersonate any other site. Host certificates are short-lived, kept in memory and renewed.
/// </summary>
internal sealed partial class CertificateAuthority : IDisposable
{
    private const string NameConstraintsOid = "2.5.29.30";
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");

    private readonly CertificateAuthorityOptions _settings;
    private readonly string _directory;
    private readonly IOptionsMonitor<EnrichProxyOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<CertificateAuthority> _logger;
    private readonly Lazy<Loaded> _loaded;
    private readonly ConcurrentDictionary<string, Leaf> _leaves = new(StringComparer.OrdinalIgnoreCase);
    private readonly PerSettings<ForwardProxyOptions, IReadOnlySet<string>> _coverage;

    public CertificateAuthority(IOptionsMonitor<EnrichProxyOptions> options, IHostEnvironment environment, TimeProvider time, ILogger<CertificateAuthority> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        _options = options;
        // The CA itself is read or made once: its files and their place need a restart to change.
        _settings = options.CurrentValue.CertificateAuthority;
        _directory = Path.GetFullPath(_settings.Directory, environment.ContentRootPath);
        _time = time;
        _logger = logger;
        _loaded = new Lazy<Loaded>(Load);
        _coverage = new(forwardProxy => Cover(_loaded.Value.Certificate, InterceptedHosts.Normalize(forwardProxy.InterceptHosts)));
    }

    /// <summary>The CA certificate, without its key: what clients trust, served at <c>/ca.crt</c>.</summary>
    public string CertificatePem => _loaded.Value.Pem;

    /// <summary>
    /// The hosts this CA may issue certificates for: the intercepted hosts (as configured now: the list applies without a
    /// restart) that its name constraints allow.
    /// </summary>
    public IReadOnlySet<string> CoveredHosts => _coverage.For(_options.CurrentValue.ForwardProxy);

    private IReadOnlyList<string> Hosts => InterceptedHosts.Normalize(_options.CurrentValue.ForwardProxy.InterceptHosts);

    /// <summary>Loads or creates the CA now (at start-up), so that its path and fingerprint are logged early.</summary>
    public void EnsureLoaded() => _ = _loaded.Value;

    /// <summary>The certificate (with the CA after it) that answers for <paramref name="host"/>, or null when this CA does not cover it.</summary>
    public SslStreamCertificateContext? ContextFor(string? host)
    {
        if (host is null || !CoveredHosts.Contains(host))
        {
            return null;
        }

        var now = _time.GetUtcNow();
        if (_leaves.TryGetValue(host, out var leaf) && now < leaf.RenewAfter)
        {
            return leaf.Context;
        }

        // Two handshakes racing for a new certificate each make one; the later one is kept, both are valid.
        var issued = Issue(host, now);
        _leaves[host] = issued;
        return issued.Context;
    }

    /// <summary>A CA for <paramref name="hosts"/>: self-signed, allowed to sign for those DNS names only and no IP address.</summary>
    internal static X509Certificate2 CreateAuthority(IReadOnlyList<string> hosts, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=EnrichProxy local CA, O=EnrichProxy", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(new X509Extension(NameConstraintsOid, NameConstraints(hosts), critical: true));
        return request.CreateSelfSigned(now.AddDays(-1), now.AddYears(10));
    }

    /// <summary>A certificate for <paramref name="host"/> signed by <paramref name="authority"/>, valid for <paramref name="lifetime"/>.</summary>
    internal static X509Certificate2 CreateLeaf(X509Certificate2 authority, string host, DateTimeOffset now, TimeSpan lifetime)
    {
        ArgumentNullException.ThrowIfNull(authority);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={host}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(host);
        request.CertificateExtensions.Add(names.Build(critical: false));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuthentication], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var notAfter = now + lifetime;
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // A positive serial number.
        using var signed = request.Create(authority, now.AddHours(-1), notAfter < authority.NotAfter ? notAfter : authority.NotAfter, serial);
        return signed.CopyWithPrivateKey(key);
    }

    /// <summary>Whether a chain from <paramref name="leaf"/> to <paramref name="authority"/> as the only trusted root holds at <paramref name="at"/>, as a client that trusts the CA would check it.</summary>
    internal static bool Validates(X509Certificate2 leaf, X509Certificate2 authority, DateTimeOffset at, out X509ChainStatusFlags problems)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.VerificationTime = at.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(ServerAuthentication);
        var valid = chain.Build(leaf);
        problems = chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, status) => all | status.Status);
        return valid;
    }

    // NameConstraints ::= SEQUENCE { permittedSubtrees [0] GeneralSubtrees, excludedSubtrees [1] GeneralSubtrees }
    // (RFC 5280 4.2.1.10): the DNS names of the hosts permitted; every IPv4 and IPv6 address excluded.
    private static byte[] NameConstraints(IReadOnlyList<string> hosts)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
            {
                foreach (var host in hosts)
                {
                    using (writer.PushSequence())
                    {
                        writer.WriteCharacterString(UniversalTagNumber.IA5String, host, new Asn1Tag(TagClass.ContextSpecific, 2));
                    }
                }
            }

            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 1, isConstructed: true)))
            {
                foreach (var anyAddress in (byte[][])[new byte[8], new byte[32]])
                {
                    using (writer.PushSequence())
                    {
                        writer.WriteOctetString(anyAddress, new Asn1Tag(TagClass.ContextSpecific, 7));
                    }
                }
            }
        }

        return writer.Encode();
    }

    private Leaf Issue(string host, DateTimeOffset now)
    {
        var authority = _loaded.Value.Certificate;
        var lifetime = _settings.LeafLifetime;
        var certificate = CreateLeaf(authority, host, now, lifetime);
        // Offline: the chain is the CA, which the client has; nothing to fetch.
        var context = SslStreamCertificateContext.Create(certificate, [authority], offline: true);
        return new Leaf(context, now + (lifetime * 2 / 3));
    }

    private Loaded Load()
    {
        X509Certificate2 authority;
        string source;
        if (_settings.CertificatePath is { Length: > 0 } certificatePath && _settings.KeyPath is { Length: > 0 } keyPath)
        {
            authority = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
            source = certificatePath;
        }
        else
        {
            var certificateFile = Path.Combine(_directory, "ca.crt");
            var keyFile = Path.Combine(_directory, "ca.key");
            if (!File.Exists(certificateFile) || !File.Exists(keyFile))
            {
                Generate(certificateFile, keyFile);
            }

            authority = X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
            source = certificateFile;
        }

        var fingerprint = Convert.ToHexString(authority.GetCertHash(HashAlgorithmName.SHA256));
        var covered = Cover(authority, Hosts).Count;
        LogLoaded(_logger, source, fingerprint, covered);
        return new Loaded(authority, authority.ExportCertificatePem());
    }

    // A host the CA's constraints do not allow is tunnelled, not intercepted: its certificates would be refused.
    private HashSet<string> Cover(X509Certificate2 authority, IReadOnlyList<string> hosts)
    {
        var now = _time.GetUtcNow();
        var covered = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var host in hosts)
        {
            using var probe = CreateLeaf(authority, host, now, TimeSpan.FromHours(1));
            if (Validates(probe, authority, now, out var problems))
            {
                covered.Add(host);
            }
            else
            {
                LogHostNotCovered(_logger, host, problems.ToString());
            }
        }

        return covered;
    }

    private void Generate(string certificateFile, string keyFile)
    {
        Directory.CreateDirectory(_directory);
        using var authority = CreateAuthority(Hosts, _time.GetUtcNow());
        using var key = authority.GetECDsaPrivateKey()!;
        // The key first, created readable by this process's user only, then the certificate that announces it.
        var keyOptions = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            keyOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(keyFile, keyOptions))
        {
            writer.Write(key.ExportPkcs8PrivateKeyPem());
        }

        File.WriteAllText(certificateFile, authority.ExportCertificatePem());
        LogGenerated(_logger, certificateFile);
    }

    public void Dispose()
    {
        if (_loaded.IsValueCreated)
        {
            _loaded.Value.Certificate.Dispose();
        }
    }

    private sealed record Loaded(X509Certificate2 Certificate, string Pem);


    private sealed record Leaf(SslStreamCertificateContext Context, DateTimeOffset RenewAfter);

    [LoggerMessage(EventId = 8001, EventName = "CertificateAuthorityGenerated", Level = LogLevel.Warning,
        Message = "Generated the proxy's CA at {Path}: clients that go through the forward proxy or the TLS front door must trust it (GET /ca.crt)")]
    private static partial void LogGenerated(ILogger logger, string path);

    [LoggerMessage(EventId = 8002, EventName = "CertificateAuthorityLoaded", Level = LogLevel.Information,
        Message = "The proxy's CA is {Path}, SHA-256 fingerprint {Fingerprint}; it covers {Hosts} intercepted hosts")]
    private static partial void LogLoaded(ILogger logger, string path, string fingerprint, int hosts);

    [LoggerMessage(EventId = 8003, EventName = "InterceptHostNotCovered", Level = LogLevel.Warning,
        Message = "The proxy's CA may not sign for {Host} ({Problems}), so it is tunnelled, not intercepted; delete the CA's files to make a new one for the current list (clients must then trust the new one)")]
    private static partial void LogHostNotCovered(ILogger logger, string host, string problems);
}

using System.Diagnostics.Metrics;
using System.Reflection;

namespace EnrichProxy.Telemetry;

/// <summary>
/// What this instance is and where it keeps things, for the status page and <c>/admin/stats</c>: the version, when it
/// started, and the folders of its configuration and data. Published as <c>enrichproxy_build_info{version}</c> too.
/// Never a connection string: Redis's may carry a password.
/// </summary>
internal sealed class InstanceInfo
{
    public InstanceInfo(string environment, string? configDirectory, string dataDirectory, TimeProvider time, IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(meterFactory);
        Environment = environment;
        ConfigDirectory = configDirectory;
        DataDirectory = dataDirectory;
        StartedAt = time.GetUtcNow();
        var meter = meterFactory.Create(EnrichProxyDiagnostics.MeterName);
        meter.CreateObservableGauge(
            EnrichProxyDiagnostics.BuildInfo, () => new Measurement<int>(1, new KeyValuePair<string, object?>(EnrichProxyDiagnostics.VersionTag, Version)),
            unit: null, "Always 1: the version of EnrichProxy that answers, as a label.");
    }

    /// <summary>The informational version (<c>1.0.0+commit</c> when built from a checkout).</summary>
    public static string Version { get; } =
        typeof(InstanceInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    public string Environment { get; }

    public string? ConfigDirectory { get; }

    public string DataDirectory { get; }

    public DateTimeOffset StartedAt { get; }
}

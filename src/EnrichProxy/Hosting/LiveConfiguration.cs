using EnrichProxy.Configuration;
using Microsoft.Extensions.Primitives;

namespace EnrichProxy.Hosting;

/// <summary>
/// The configuration the app runs on: a copy of every setting taken at start, replaced only when a changed
/// configuration (an edited <c>config/appsettings*.json</c>, the content root's <c>appsettings.json</c>) passes the whole
/// check of <see cref="ConfigurationChecks"/>. Options monitors and YARP follow the copy, so routes, clusters,
/// policies, upstream settings and the intercept list apply without a restart, and a broken edit is refused whole: its
/// errors are logged and shown (<see cref="ConfigurationStatus"/>), and the running configuration stays.
/// </summary>
internal sealed partial class LiveConfiguration : IDisposable
{
    private readonly IConfigurationRoot _source;
    private readonly AcceptedSettings _accepted = new();
    private readonly Lock _checking = new();
    private readonly Dictionary<string, int> _upstreamRevisions = new(StringComparer.OrdinalIgnoreCase);
    private IDisposable? _watch;

    private LiveConfiguration(IConfigurationRoot source)
    {
        _source = source;
        Accepted = new ConfigurationRoot([_accepted]);
        _accepted.Replace(Flatten(source));
    }

    /// <summary>The accepted settings: what the app binds its options and YARP's routes to.</summary>
    public IConfigurationRoot Accepted { get; }

    /// <summary>When the running configuration was accepted, and the last check of a change.</summary>
    public ConfigurationStatus Status { get; } = new();

    /// <summary>Raised after a changed configuration was accepted and every options monitor and YARP follow it.</summary>
    public event Action? Applied;

    /// <summary>Takes the accepted copy of <paramref name="source"/> as it is now.</summary>
    public static LiveConfiguration Snapshot(IConfigurationRoot source) => new(source);

    /// <summary>From now on, checks every change of the source and accepts those that pass.</summary>
    public void Watch(ILogger logger, TimeProvider time) =>
        _watch = ChangeToken.OnChange(_source.GetReloadToken, () =>
        {
            // On the file watcher's thread: an exception here would end the process.
            try
            {
                Reload(logger, time);
            }
#pragma warning disable CA1031 // Logged; the next change is checked again.
            catch (Exception failure)
#pragma warning restore CA1031
            {
                LogReloadFailed(logger, failure);
            }
        });

    /// <summary>Checks the source as it is now; accepts it when it passes.</summary>
    /// <returns>The check, or null when nothing changed.</returns>
    public ConfigurationCheck? Reload(ILogger logger, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(time);
        lock (_checking)
        {
            var candidate = Flatten(_source);
            AddUpstreamRevisions(candidate);
            var changed = _accepted.ChangedKeys(candidate);
            if (changed.Count == 0)
            {
                return null;
            }

            var errors = ConfigurationChecks.Check(new ConfigurationBuilder().AddInMemoryCollection(candidate).Build());
            var check = new ConfigurationCheck(time.GetUtcNow(), errors.Count == 0, errors);
            Status.Checked(check);
            if (!check.Accepted)
            {
                foreach (var error in errors)
                {
                    LogRefused(logger, error);
                }

                return check;
            }

            if (BumpUpstreamRevisions(changed))
            {
                AddUpstreamRevisions(candidate);
            }

            _accepted.Replace(candidate);
            Applied?.Invoke();
            // Names only: a value may be a key.
            var names = string.Join(", ", changed.Take(10)) + (changed.Count > 10 ? ", ..." : string.Empty);
            LogApplied(logger, changed.Count, names);
            return check;
        }
    }

    public void Dispose() => _watch?.Dispose();

    // YARP builds a route's transforms (the upstream's key, user agent, what is redacted) again only when the route or its
    // cluster changes. A change of an upstream's settings is marked on its cluster (a metadata revision), so the routes
    // of that cluster take the new settings, and no other is rebuilt.
    private bool BumpUpstreamRevisions(List<string> changed)
    {
        const string prefix = "EnrichProxy:Upstreams:";
        var clusters = changed.Where(key => key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(key => key[prefix.Length..].Split(':')[0]).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        foreach (var cluster in clusters)
        {
            _upstreamRevisions[cluster] = _upstreamRevisions.GetValueOrDefault(cluster) + 1;
        }

        return clusters.Count > 0;
    }

    private void AddUpstreamRevisions(Dictionary<string, string?> settings)
    {
        foreach (var (cluster, revision) in _upstreamRevisions)
        {
            // Only on a cluster that exists: a metadata key alone would make one without destinations.
            if (settings.Keys.Any(key => key.StartsWith($"ReverseProxy:Clusters:{cluster}:Destinations:", StringComparison.OrdinalIgnoreCase)))
            {
                settings[$"ReverseProxy:Clusters:{cluster}:Metadata:EnrichProxy.UpstreamRevision"] = revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        }
    }

    private static Dictionary<string, string?> Flatten(IConfiguration configuration) =>
        configuration.AsEnumerable().Where(pair => pair.Value is not null).ToDictionary(StringComparer.OrdinalIgnoreCase);

    [LoggerMessage(EventId = 9101, EventName = "ConfigurationApplied", Level = LogLevel.Information,
        Message = "Configuration changed and applied: {Count} settings ({Keys})")]
    private static partial void LogApplied(ILogger logger, int count, string keys);

    [LoggerMessage(EventId = 9103, EventName = "ConfigurationReloadFailed", Level = LogLevel.Error,
        Message = "Applying a configuration change failed")]
    private static partial void LogReloadFailed(ILogger logger, Exception failure);

    [LoggerMessage(EventId = 9102, EventName = "ConfigurationRefused", Level = LogLevel.Error,
        Message = "Configuration change refused, the running configuration stays: {Error}")]
    private static partial void LogRefused(ILogger logger, string error);

    // Holds the accepted settings; replacing them signals every options monitor and YARP at once.
    private sealed class AcceptedSettings : ConfigurationProvider, IConfigurationSource
    {
        public IConfigurationProvider Build(IConfigurationBuilder builder) => this;

        public void Replace(Dictionary<string, string?> settings)
        {
            Data = settings;
            OnReload();
        }

        public List<string> ChangedKeys(Dictionary<string, string?> candidate) =>
        [
            .. candidate.Where(pair => !Data.TryGetValue(pair.Key, out var value) || !string.Equals(value, pair.Value, StringComparison.Ordinal)).Select(pair => pair.Key)
                .Concat(Data.Keys.Where(key => !candidate.ContainsKey(key)))
                .Order(StringComparer.OrdinalIgnoreCase),
        ];
    }
}

using System.Text.Json;
using EnrichProxy.Configuration;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Primitives;

namespace EnrichProxy.Hosting;

/// <summary>
/// The configuration the app runs on: a copy of every setting taken at start, replaced only when a changed
/// configuration (an edited <c>config/appsettings*.json</c>, the content root's <c>appsettings.json</c>) passes the whole
/// check of <see cref="ConfigurationChecks"/>. Options monitors and YARP follow the copy, so routes, clusters,
/// policies, upstream settings, the admin keys and the intercept list apply without a restart, and a broken edit is
/// refused whole: its errors are logged and shown (<see cref="ConfigurationStatus"/>), and the running configuration
/// stays. Settings read only at start are named in the log and on the status page as needing a restart.
/// </summary>
internal sealed partial class LiveConfiguration : IDisposable
{
    // What follows the accepted copy while the app runs; any other setting is read at start only.
    private static readonly string[] LivePrefixes =
    [
        "ReverseProxy:",
        "EnrichProxy:Policies:",
        "EnrichProxy:Upstreams:",
        "EnrichProxy:ForwardProxy:InterceptHosts",
        "EnrichProxy:Admin:",
        "EnrichProxy:InboundApiKey",
        "Logging:",
    ];

    // Exceptions within them, which shape what is built at start: a policy's prefetch rules, tags and ignored query
    // parameters (purges and shared keys are built from them); an upstream's kind and where its key goes (the fast
    // path's and purges' lists of credential names are built from them).
    private static readonly string[] StartOnlyPolicySettings = ["Prefetch", "Tags", "IgnoreQueryParameters"];
    private static readonly string[] StartOnlyUpstreamSettings = ["Kind", "ApiKeyName", "ApiKeyLocation"];

    private readonly IConfigurationRoot _source;
    private readonly IReadOnlyList<(string File, IConfigurationProvider? Reader)> _watchedFiles;
    private readonly AcceptedSettings _accepted = new();
    private readonly Dictionary<string, string?> _atStart;
    private readonly Lock _checking = new();
    private IDisposable? _watch;

    private LiveConfiguration(IConfigurationRoot source)
    {
        _source = source;
        _watchedFiles = WatchedFiles(source);
        Accepted = new ConfigurationRoot([_accepted]);
        _atStart = Flatten(source);
        _accepted.Replace(new Dictionary<string, string?>(_atStart, StringComparer.OrdinalIgnoreCase));
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
                LogReloadFailed(logger, failure.GetType().Name);
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
            // A file its reader could not read (half saved, a typo) has been dropped from the source: what is left is
            // not what the operator means, so nothing is taken from it until the file reads again.
            var (unreadable, settling) = ReadWatchedFiles();
            if (unreadable.Count > 0)
            {
                return Refuse(new ConfigurationCheck(time.GetUtcNow(), false, unreadable, WaitingForRestart(_accepted.Settings)), logger);
            }

            if (settling)
            {
                return null; // Read while it was being written: the event of the last write follows.
            }

            var candidate = Flatten(_source);
            var changed = _accepted.ChangedKeys(candidate);
            if (changed.Count == 0)
            {
                // Back to what runs (a refused edit undone): nothing is refused any more.
                if (Status.LastCheck is { Accepted: false })
                {
                    Status.Checked(new ConfigurationCheck(time.GetUtcNow(), true, [], WaitingForRestart(_accepted.Settings)), applied: false);
                }

                return null;
            }

            var errors = ConfigurationChecks.Check(new ConfigurationBuilder().AddInMemoryCollection(candidate).Build());
            if (errors.Count > 0)
            {
                return Refuse(new ConfigurationCheck(time.GetUtcNow(), false, errors, WaitingForRestart(_accepted.Settings)), logger);
            }

            var needsRestart = WaitingForRestart(candidate);
            var check = new ConfigurationCheck(time.GetUtcNow(), true, [], needsRestart);
            try
            {
                _accepted.Replace(candidate);
            }
            finally
            {
                // Whatever a listener of the change threw, the app now runs on the new settings. In this order, so that
                // whoever sees the status sees the rest done: the fast path forgets what it learnt under the old
                // settings, the change is logged (names only: a value may be a key), then the status says so.
                Applied?.Invoke();
                var names = Names(changed);
                LogApplied(logger, changed.Count, names);
                if (needsRestart.Count > 0)
                {
                    var waiting = Names(needsRestart);
                    LogNeedsRestart(logger, waiting);
                }

                Status.Checked(check, applied: true);
            }

            return check;
        }
    }

    public void Dispose() => _watch?.Dispose();

    private ConfigurationCheck Refuse(ConfigurationCheck check, ILogger logger)
    {
        // Logged before the status says so, as an accepted change is.
        foreach (var error in check.Errors)
        {
            LogRefused(logger, error);
        }

        Status.Checked(check, applied: false);
        return check;
    }

    // The settings read at start only whose value now differs from the start's: a later change cannot hide them, and a
    // setting put back as it was needs nothing.
    private List<string> WaitingForRestart(IReadOnlyDictionary<string, string?> settings) =>
    [
        .. settings.Keys.Concat(_atStart.Keys).Distinct(StringComparer.OrdinalIgnoreCase)
            .Where(key => !IsLive(key)
                && !string.Equals(settings.GetValueOrDefault(key), _atStart.GetValueOrDefault(key), StringComparison.Ordinal))
            .Order(StringComparer.OrdinalIgnoreCase),
    ];

    private static bool IsLive(string key)
    {
        if (!LivePrefixes.Any(prefix => key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }

        // EnrichProxy:Policies:<name>:<setting>..., EnrichProxy:Upstreams:<name>:<setting>...
        var parts = key.Split(':');
        if (parts.Length < 4 || !string.Equals(parts[0], EnrichProxyOptions.SectionName, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var startOnly = parts[1].ToUpperInvariant() switch
        {
            "POLICIES" => StartOnlyPolicySettings,
            "UPSTREAMS" => StartOnlyUpstreamSettings,
            _ => [],
        };
        return !startOnly.Contains(parts[3], StringComparer.OrdinalIgnoreCase);
    }

    private static string Names(List<string> keys) =>
        string.Join(", ", keys.Take(10)) + (keys.Count > 10 ? ", ..." : string.Empty);

    // Each watched file read as its reader reads it (a byte order mark is fine; a duplicate key or a root that is not
    // an object is not). Unreadable: refused with where, never what. Read well while its reader holds nothing of it: it
    // was read half written, and the event of the last write follows.
    private (List<string> Unreadable, bool Settling) ReadWatchedFiles()
    {
        var errors = new List<string>();
        var settling = false;
        foreach (var (file, reader) in _watchedFiles.Where(watched => File.Exists(watched.File)))
        {
            try
            {
                using var stream = File.OpenRead(file);
                var read = new ConfigurationBuilder().AddJsonStream(stream).Build();
                settling |= read.AsEnumerable().Any(pair => pair.Value is not null) && reader is not null && !reader.GetChildKeys([], null).Any();
            }
            catch (Exception failure) when (failure is FormatException or InvalidDataException or JsonException or IOException or UnauthorizedAccessException)
            {
                errors.Add(failure switch
                {
                    _ when Inner<JsonException>(failure) is { } json => $"{file} is not valid JSON (line {json.LineNumber + 1}, byte {json.BytePositionInLine + 1}).",
                    FormatException => $"{file} has a key twice (in any case) or is not one JSON object.",
                    _ => $"{file} cannot be read now ({failure.GetType().Name}).",
                });
            }
        }

        return (errors, settling);
    }

    private static T? Inner<T>(Exception? exception)
        where T : Exception
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is T found)
            {
                return found;
            }
        }

        return null;
    }

    // The watched JSON files; their reader is told to let a file it cannot read go (the check above reports it)
    // instead of failing on the file watcher's thread.
    private static List<(string File, IConfigurationProvider? Reader)> WatchedFiles(IConfigurationRoot source)
    {
        var files = new List<(string, IConfigurationProvider?)>();
        if (source is not IConfigurationBuilder builder)
        {
            return files;
        }

        foreach (var json in builder.Sources.OfType<JsonConfigurationSource>().Where(json => json.ReloadOnChange))
        {
            json.OnLoadException = context => context.Ignore = true;
            if (json.FileProvider is PhysicalFileProvider physical && json.Path is { } path)
            {
                var reader = source.Providers.OfType<JsonConfigurationProvider>().FirstOrDefault(provider => ReferenceEquals(provider.Source, json));
                files.Add((Path.Combine(physical.Root, path), reader));
            }
        }

        return files;
    }

    private static Dictionary<string, string?> Flatten(IConfiguration configuration) =>
        configuration.AsEnumerable().Where(pair => pair.Value is not null).ToDictionary(StringComparer.OrdinalIgnoreCase);

    [LoggerMessage(EventId = 9101, EventName = "ConfigurationApplied", Level = LogLevel.Information,
        Message = "Configuration changed and applied: {Count} settings ({Keys})")]
    private static partial void LogApplied(ILogger logger, int count, string keys);

    [LoggerMessage(EventId = 9102, EventName = "ConfigurationRefused", Level = LogLevel.Error,
        Message = "Configuration change refused, the running configuration stays: {Error}")]
    private static partial void LogRefused(ILogger logger, string error);

    [LoggerMessage(EventId = 9103, EventName = "ConfigurationReloadFailed", Level = LogLevel.Error,
        Message = "Applying a configuration change failed ({Error}); the next change is checked again")]
    private static partial void LogReloadFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 9104, EventName = "ConfigurationNeedsRestart", Level = LogLevel.Warning,
        Message = "These changed settings are read at start only and apply at the next start: {Keys}")]
    private static partial void LogNeedsRestart(ILogger logger, string keys);

    // Holds the accepted settings; replacing them signals every options monitor and YARP at once.
    private sealed class AcceptedSettings : ConfigurationProvider, IConfigurationSource
    {
        public IConfigurationProvider Build(IConfigurationBuilder builder) => this;

        public void Replace(Dictionary<string, string?> settings)
        {
            Data = settings;
            OnReload();
        }

        public IReadOnlyDictionary<string, string?> Settings => (IReadOnlyDictionary<string, string?>)Data;

        public List<string> ChangedKeys(Dictionary<string, string?> candidate) =>
        [
            .. candidate.Where(pair => !Data.TryGetValue(pair.Key, out var value) || !string.Equals(value, pair.Value, StringComparison.Ordinal)).Select(pair => pair.Key)
                .Concat(Data.Keys.Where(key => !candidate.ContainsKey(key)))
                .Order(StringComparer.OrdinalIgnoreCase),
        ];
    }
}

using System.Collections;
using Microsoft.Extensions.Configuration.CommandLine;

namespace EnrichProxy.Hosting;

/// <summary>
/// Settings read from files, as Docker and Kubernetes secrets are mounted, so that a key need not sit in an
/// environment variable or a compose file:
/// <list type="bullet">
/// <item><c>&lt;setting&gt;_FILE</c> variables: <c>EnrichProxy__Upstreams__tmdb__ApiKey_FILE=/run/secrets/tmdb</c>
/// sets <c>EnrichProxy:Upstreams:tmdb:ApiKey</c> to the file's content (one trailing line break dropped), for
/// settings under <c>EnrichProxy</c> and <c>ReverseProxy</c>;</item>
/// <item>key-per-file: each file in <c>/run/secrets</c> named like such a setting (<c>EnrichProxy__Admin__ApiKey</c>);
/// other files there are left alone.</item>
/// </list>
/// Both rank with environment variables, below command-line arguments, and are read once, at start. A file that cannot
/// be read, or is larger than a secret, stops the start with the other configuration errors (<see cref="StartupCheck"/>);
/// its content is never in a message.
/// </summary>
internal static class SecretFiles
{
    public const string Suffix = "_FILE";
    public const string DefaultDirectory = "/run/secrets";

    public static void AddSecretFiles(this IConfigurationManager configuration) =>
        configuration.AddSecretFiles(Environment.GetEnvironmentVariables(), DefaultDirectory);

    internal static void AddSecretFiles(this IConfigurationManager configuration, IDictionary variables, string directory)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var sources = configuration.Sources;
        var insertAt = sources.Count;
        while (insertAt > 0 && sources[insertAt - 1] is CommandLineConfigurationSource)
        {
            insertAt--;
        }

        // Files in the directory first: a _FILE variable, like any environment variable, wins over them.
        var inDirectory = Directory.Exists(directory)
            ? Directory.EnumerateFiles(directory).Select(path => (Name: Path.GetFileName(path) + Suffix, Path: path)).Where(file => IsSettingFile(file.Name))
            : [];
        var named = variables.Cast<DictionaryEntry>()
            .Select(variable => (Name: (string)variable.Key, Path: variable.Value as string ?? string.Empty))
            .Where(variable => IsSettingFile(variable.Name));
        sources.Insert(insertAt, new NamedFilesSource([.. inDirectory, .. named]));
    }

    /// <summary>Files named by <c>_FILE</c> variables that could not be read, as configuration errors.</summary>
    public static IEnumerable<string> Errors(IConfiguration configuration) =>
        configuration is IConfigurationRoot root ? root.Providers.OfType<NamedFilesProvider>().SelectMany(p => p.Errors) : [];

    private static bool IsSettingFile(string name) =>
        name.EndsWith(Suffix, StringComparison.Ordinal) && name.Length > Suffix.Length
        && (name.StartsWith("EnrichProxy__", StringComparison.OrdinalIgnoreCase) || name.StartsWith("ReverseProxy__", StringComparison.OrdinalIgnoreCase));

    private sealed class NamedFilesSource(IReadOnlyList<(string Name, string Path)> files) : IConfigurationSource
    {
        public IConfigurationProvider Build(IConfigurationBuilder builder) => new NamedFilesProvider(files);
    }

    internal sealed class NamedFilesProvider(IReadOnlyList<(string Name, string Path)> files) : ConfigurationProvider
    {
        // A secret is a key or a password: anything larger is a mistake (the wrong file), not a secret.
        private const long MaxBytes = 64 * 1024;

        public List<string> Errors { get; } = [];

        public override void Load()
        {
            Errors.Clear();
            var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            foreach (var (name, path) in files)
            {
                var key = name[..^Suffix.Length].Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal);
                try
                {
                    if (new FileInfo(path).Length > MaxBytes)
                    {
                        Errors.Add($"{name} names {path}, which is larger than a secret ({MaxBytes / 1024} KiB).");
                        continue;
                    }

                    data[key] = TrimOneLineBreak(File.ReadAllText(path));
                }
                catch (Exception failure) when (failure is IOException or UnauthorizedAccessException or ArgumentException)
                {
                    Errors.Add($"{name} names {path}, which cannot be read: {failure.GetType().Name}.");
                }
            }

            Data = data;
        }

        // `echo key > file` and editors end files with a line break that is not part of the secret.
        private static string TrimOneLineBreak(string text) =>
            text.EndsWith("\r\n", StringComparison.Ordinal) ? text[..^2] : text.EndsWith('\n') ? text[..^1] : text;
    }
}

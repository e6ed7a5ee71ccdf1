using Microsoft.Extensions.Configuration.Json;

namespace EnrichProxy.Hosting;

/// <summary>
/// Loads <c>config/appsettings.json</c> (and <c>config/appsettings.{Environment}.json</c>) beneath every other
/// source: an <c>appsettings.json</c> in the content root (the container's <c>/config</c> volume, where an
/// operator keeps only the keys they change), environment variables, secret files and command-line arguments
/// override any key of it.
/// </summary>
internal static class ConfigurationFiles
{
    public const string DirectoryName = "config";

    public static void AddEnrichProxyConfigFiles(this IConfigurationManager configuration, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);

        var directory = FindConfigDirectory(environment.ContentRootPath);
        if (directory is null)
        {
            return;
        }

        var sources = configuration.Sources;
        var insertAt = FirstIndexOfJsonFile(sources);
        // Watched: a change is checked whole and applied without a restart (LiveConfiguration).
        sources.Insert(insertAt, JsonFile(directory, "appsettings.json"));
        sources.Insert(insertAt + 1, JsonFile(directory, $"appsettings.{environment.EnvironmentName}.json"));
    }

    /// <summary><c>config/</c> under the content root (a checkout), else beside the binaries (published output, Docker).</summary>
    internal static string? FindConfigDirectory(string contentRoot)
    {
        foreach (var root in new[] { contentRoot, AppContext.BaseDirectory })
        {
            var candidate = Path.Combine(root, DirectoryName);
            if (File.Exists(Path.Combine(candidate, "appsettings.json")))
            {
                return candidate;
            }
        }

        return null;
    }

    // Before the content root's appsettings.json, which the default builder adds; at the end when there is none.
    private static int FirstIndexOfJsonFile(IList<IConfigurationSource> sources)
    {
        for (var i = 0; i < sources.Count; i++)
        {
            if (sources[i] is JsonConfigurationSource)
            {
                return i;
            }
        }

        return sources.Count;
    }

    private static JsonConfigurationSource JsonFile(string directory, string name)
    {
        var source = new JsonConfigurationSource { Path = name, Optional = true, ReloadOnChange = true };
        source.FileProvider = new Microsoft.Extensions.FileProviders.PhysicalFileProvider(directory);
        return source;
    }
}

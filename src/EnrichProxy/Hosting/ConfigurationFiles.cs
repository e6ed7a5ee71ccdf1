using Microsoft.Extensions.Configuration.Json;

namespace EnrichProxy.Hosting;

/// <summary>
/// Loads <c>config/appsettings.json</c> (and <c>config/appsettings.{Environment}.json</c>) with the
/// precedence of the default <c>appsettings.json</c>: environment variables and command-line
/// arguments still override every key.
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
        var insertAt = LastIndexOfJsonFile(sources) + 1;
        // Changes need a restart: routes and policies are validated together at start-up.
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

    private static int LastIndexOfJsonFile(IList<IConfigurationSource> sources)
    {
        for (var i = sources.Count - 1; i >= 0; i--)
        {
            if (sources[i] is JsonConfigurationSource)
            {
                return i;
            }
        }

        return -1;
    }

    private static JsonConfigurationSource JsonFile(string directory, string name)
    {
        var source = new JsonConfigurationSource { Path = name, Optional = true, ReloadOnChange = false };
        source.FileProvider = new Microsoft.Extensions.FileProviders.PhysicalFileProvider(directory);
        return source;
    }
}

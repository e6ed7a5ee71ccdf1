using System.Text.RegularExpressions;

namespace EnrichProxy.Tests.Architecture;

/// <summary>
/// Feature folders depend on each other one way (README "How the code is laid out"): Hosting composes
/// the features that serve endpoints, which use the cache and prefetch, which use the upstreams and route
/// matching, which use the configuration; Background, Telemetry and Errors are leaves anyone may use.
/// </summary>
public sealed partial class FeatureDependencyTests
{
    // What each folder may use. A folder missing here is a new feature: give it its place.
    private static readonly Dictionary<string, string[]> Allowed = new(StringComparer.Ordinal)
    {
        ["Hosting"] = ["Admin", "Background", "Batch", "Caching", "Configuration", "Enrichment", "Errors", "Health", "Interception", "Notifications", "Prefetching", "Routing", "Status", "Telemetry", "Upstreams", "Warmup"],
        ["Status"] = ["Telemetry"],
        ["Notifications"] = ["Configuration", "Health", "Telemetry", "Upstreams", "Warmup"],
        ["Admin"] = ["Background", "Caching", "Configuration", "Enrichment", "Errors", "Interception", "Telemetry", "Upstreams", "Warmup"],
        ["Interception"] = ["Configuration", "Errors", "Telemetry"],
        ["Batch"] = ["Caching", "Errors", "Upstreams"],
        ["Health"] = ["Caching", "Configuration", "Upstreams"],
        ["Warmup"] = ["Background", "Configuration", "Enrichment", "Telemetry", "Upstreams"],
        ["Enrichment"] = ["Background", "Caching", "Configuration", "Errors", "Telemetry", "Upstreams"],
        ["Prefetching"] = ["Background", "Caching", "Configuration", "Routing", "Telemetry", "Upstreams"],
        ["Caching"] = ["Background", "Configuration", "Errors", "Routing", "Telemetry", "Upstreams"],
        ["Upstreams"] = ["Background", "Configuration", "Errors", "Telemetry"],
        ["Routing"] = ["Configuration"],
        ["Background"] = ["Configuration", "Telemetry"],
        ["Configuration"] = [],
        ["Telemetry"] = [],
        ["Errors"] = [],
    };

    [Fact]
    public void EveryFeatureFolder_UsesOnlyTheFoldersBelowIt()
    {
        var source = Path.Combine(RepositoryRoot(), "src", "EnrichProxy");
        var folders = Directory.GetDirectories(source).Select(Path.GetFileName).Where(name => name is not ("bin" or "obj" or "Properties")).ToList();

        Assert.Equal(Allowed.Keys.Order(StringComparer.Ordinal), folders.Order(StringComparer.Ordinal));
        foreach (var folder in folders)
        {
            var used = Directory.EnumerateFiles(Path.Combine(source, folder!), "*.cs", SearchOption.AllDirectories)
                .SelectMany(file => FeatureReference().Matches(File.ReadAllText(file)).Select(match => (File: file, Feature: match.Groups["feature"].Value)))
                .Where(reference => reference.Feature != folder && Allowed.ContainsKey(reference.Feature))
                .ToList();
            var forbidden = used.Where(reference => !Allowed[folder!].Contains(reference.Feature)).ToList();
            Assert.True(forbidden.Count == 0, $"{folder} must not use {string.Join(", ", forbidden.Select(f => $"{f.Feature} ({Path.GetFileName(f.File)})").Distinct())}.");
        }
    }

    [Fact]
    public void TheAllowedDependencies_HaveNoCycle()
    {
        var visiting = new HashSet<string>();
        var done = new HashSet<string>();
        foreach (var folder in Allowed.Keys)
        {
            Visit(folder, []);
        }

        void Visit(string folder, List<string> path)
        {
            if (done.Contains(folder))
            {
                return;
            }

            Assert.True(visiting.Add(folder), $"Cycle: {string.Join(" -> ", path.Append(folder))}");
            foreach (var used in Allowed[folder])
            {
                Visit(used, [.. path, folder]);
            }

            visiting.Remove(folder);
            done.Add(folder);
        }
    }

    // "using EnrichProxy.Caching;", "using EnrichProxy.Caching.Purging;" and qualified names such as "EnrichProxy.Enrichment.Fields".
    [GeneratedRegex(@"\bEnrichProxy\.(?<feature>[A-Z][A-Za-z]+)\b")]
    private static partial Regex FeatureReference();

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "EnrichProxy.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("The tests run outside the repository.");
    }
}

using EnrichProxy.Hosting;

namespace EnrichProxy.Tests.Hosting;

public sealed class ConfigurationFilesTests : IDisposable
{
    private readonly string _contentRoot = Directory.CreateTempSubdirectory("enrichproxy-files-").FullName;

    [Fact]
    public void ConfigFile_IsOverriddenByEnvironmentVariablesAndCommandLine()
    {
        Directory.CreateDirectory(Path.Combine(_contentRoot, "config"));
        File.WriteAllText(Path.Combine(_contentRoot, "config", "appsettings.json"), """{ "EnrichProxy": { "A": "file", "B": "file", "C": "file" } }""");
        Environment.SetEnvironmentVariable("EnrichProxy__B", "environment");
        try
        {
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions
            {
                ContentRootPath = _contentRoot,
                Args = ["--EnrichProxy:C=command-line"],
            });

            builder.Configuration.AddEnrichProxyConfigFiles(builder.Environment);

            Assert.Equal("file", builder.Configuration["EnrichProxy:A"]);
            Assert.Equal("environment", builder.Configuration["EnrichProxy:B"]);
            Assert.Equal("command-line", builder.Configuration["EnrichProxy:C"]);
        }
        finally
        {
            Environment.SetEnvironmentVariable("EnrichProxy__B", null);
        }
    }

    [Fact]
    public void AnAppsettingsFileInTheContentRoot_OverridesTheShippedOne_KeyByKey()
    {
        // The container's layout: the shipped config/ beside the binaries, the operator's /config as the content root.
        File.WriteAllText(Path.Combine(_contentRoot, "appsettings.json"), """{ "EnrichProxy": { "Admin": { "ApiKey": "operator-key-0123456789" } } }""");
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = _contentRoot });

        builder.Configuration.AddEnrichProxyConfigFiles(builder.Environment);

        Assert.Equal("operator-key-0123456789", builder.Configuration["EnrichProxy:Admin:ApiKey"]);
        Assert.Equal("data/cache.db", builder.Configuration["EnrichProxy:Cache:DiskPath"]);
    }

    [Fact]
    public void FindConfigDirectory_FallsBackToTheFolderBesideTheBinaries()
    {
        var found = ConfigurationFiles.FindConfigDirectory(_contentRoot);

        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "config"), found);
    }

    public void Dispose() => Directory.Delete(_contentRoot, recursive: true);
}

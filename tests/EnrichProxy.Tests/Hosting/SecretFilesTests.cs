using System.Collections;
using EnrichProxy.Hosting;

namespace EnrichProxy.Tests.Hosting;

public sealed class SecretFilesTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("enrichproxy-secrets-").FullName;

    [Fact]
    public void AFileVariable_SetsItsSetting_ToTheFileWithoutItsLastLineBreak()
    {
        var file = Write("tmdb", "tmdb-key-from-a-file\n");
        var configuration = Build(new Hashtable
        {
            ["EnrichProxy__Upstreams__tmdb__ApiKey_FILE"] = file,
            ["ReverseProxy__Clusters__tmdb__Destinations__default__Address_FILE"] = Write("address", "http://tmdb.lan/\r\n"),
            ["UNRELATED_FILE"] = file,
        });

        Assert.Equal("tmdb-key-from-a-file", configuration["EnrichProxy:Upstreams:tmdb:ApiKey"]);
        Assert.Equal("http://tmdb.lan/", configuration["ReverseProxy:Clusters:tmdb:Destinations:default:Address"]);
        Assert.Null(configuration["UNRELATED"]);
        Assert.Empty(SecretFiles.Errors(configuration));
    }

    [Fact]
    public void AFileInTheSecretsDirectory_NamedLikeASetting_SetsIt()
    {
        var secrets = Directory.CreateDirectory(Path.Combine(_directory, "run-secrets")).FullName;
        File.WriteAllText(Path.Combine(secrets, "EnrichProxy__Admin__ApiKey"), "admin-key-from-a-docker-secret\n");

        var configuration = Build(new Hashtable(), secrets);

        Assert.Equal("admin-key-from-a-docker-secret", configuration["EnrichProxy:Admin:ApiKey"]);
    }

    [Fact]
    public void TheSecretsDirectory_IsBoundedToo_AndItsOtherFilesAreLeftAlone()
    {
        var secrets = Directory.CreateDirectory(Path.Combine(_directory, "bounded")).FullName;
        File.WriteAllText(Path.Combine(secrets, "EnrichProxy__Admin__ApiKey"), new string('k', 70 * 1024));
        File.WriteAllText(Path.Combine(secrets, "tmdb_api_key"), "not named like a setting");

        var configuration = Build(new Hashtable(), secrets);

        Assert.Contains(SecretFiles.Errors(configuration), e => e.Contains("larger than a secret", StringComparison.Ordinal));
        Assert.Null(configuration["EnrichProxy:Admin:ApiKey"]);
        Assert.Null(configuration["tmdb_api_key"]);
    }

    [Fact]
    public void CommandLineArguments_StillWin()
    {
        var configuration = Build(
            new Hashtable { ["EnrichProxy__Admin__ApiKey_FILE"] = Write("admin", "from-file") },
            args: ["--EnrichProxy:Admin:ApiKey=from-command-line"]);

        Assert.Equal("from-command-line", configuration["EnrichProxy:Admin:ApiKey"]);
    }

    [Fact]
    public void AFileThatCannotBeRead_IsAConfigurationError_WithoutItsContent()
    {
        var large = Write("large", new string('k', 70 * 1024));
        var configuration = Build(new Hashtable
        {
            ["EnrichProxy__Upstreams__tmdb__ApiKey_FILE"] = Path.Combine(_directory, "missing"),
            ["EnrichProxy__Admin__ApiKey_FILE"] = large,
        });

        var errors = SecretFiles.Errors(configuration).ToList();

        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, e => e.Contains("EnrichProxy__Upstreams__tmdb__ApiKey_FILE", StringComparison.Ordinal) && e.Contains("cannot be read", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("larger than a secret", StringComparison.Ordinal));
        Assert.DoesNotContain(errors, e => e.Contains("kkkk", StringComparison.Ordinal));
        Assert.Null(configuration["EnrichProxy:Admin:ApiKey"]);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string name, string content)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, content);
        return path;
    }

    private ConfigurationManager Build(Hashtable variables, string? secretsDirectory = null, string[]? args = null)
    {
        var configuration = new ConfigurationManager();
        configuration.AddCommandLine(args ?? []);
        configuration.AddSecretFiles(variables, secretsDirectory ?? Path.Combine(_directory, "none"));
        return configuration;
    }
}

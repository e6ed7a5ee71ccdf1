using System.Globalization;
using EnrichProxy.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace EnrichProxy.IntegrationTests.Infrastructure;

/// <summary>
/// The real EnrichProxy app on a real Kestrel port, composed exactly as Program.cs composes it, with
/// the shipped config/appsettings.json overridden by command-line arguments as a user would.
/// </summary>
internal sealed class ProxyHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly bool _ownsContentRoot;

    private ProxyHost(WebApplication app, string contentRoot, bool ownsContentRoot, LogSink logs)
    {
        _app = app;
        ContentRoot = contentRoot;
        _ownsContentRoot = ownsContentRoot;
        Logs = logs;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(60) };
    }

    public HttpClient Client { get; }

    public LogSink Logs { get; }

    public string ContentRoot { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<ProxyHost> StartAsync(
        IReadOnlyDictionary<string, string> settings, TimeProvider? time = null, string? contentRoot = null)
    {
        var ownsContentRoot = contentRoot is null;
        contentRoot ??= Directory.CreateTempSubdirectory("enrichproxy-test-").FullName;
        var args = settings
            .Select(setting => $"--{setting.Key}={setting.Value}")
            .Concat(settings.ContainsKey("urls") ? [] : ["--urls=http://127.0.0.1:0"])
            .ToArray();

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = contentRoot,
            EnvironmentName = "Testing",
        });
        // The default providers go; those EnrichProxy adds (OpenTelemetry's, when OTLP is on) stay.
        builder.Logging.ClearProviders();
        builder.AddEnrichProxy();
        var logs = new LogSink();
        builder.Logging.SetMinimumLevel(LogLevel.Trace).AddProvider(logs);
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        var app = builder.Build();
        app.MapEnrichProxy();
        await app.StartAsync();
        return new ProxyHost(app, contentRoot, ownsContentRoot, logs);
    }

    /// <summary>Settings that point clusters at test upstreams and keep the disk cache in the content root.</summary>
    public static Dictionary<string, string> Settings(params (string Key, string Value)[] settings)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["EnrichProxy:Cache:DiskPath"] = "cache/cache.db",
            // Background traffic of its own would disturb the upstream counts of tests about something else;
            // the tests of prefetch and warm-up turn them back on.
            ["EnrichProxy:Queue:MaxPrefetchDepth"] = "0",
            ["EnrichProxy:Warmup:Enabled"] = "false",
        };
        foreach (var (key, value) in settings)
        {
            result[key] = value;
        }

        return result;
    }

    public static (string Key, string Value) Destination(string cluster, string url) =>
        ($"ReverseProxy:Clusters:{cluster}:Destinations:default:Address", url.TrimEnd('/') + "/");

    public static (string Key, string Value) Policy(string policy, string setting, TimeSpan value) =>
        ($"EnrichProxy:Policies:{policy}:{setting}", value.ToString("c", CultureInfo.InvariantCulture));

    public static (string Key, string Value) Policy(string policy, string setting, string value) =>
        ($"EnrichProxy:Policies:{policy}:{setting}", value);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_ownsContentRoot)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(ContentRoot, recursive: true);
        }
    }
}

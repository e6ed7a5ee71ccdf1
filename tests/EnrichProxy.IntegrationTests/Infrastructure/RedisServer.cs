using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace EnrichProxy.IntegrationTests.Infrastructure;

/// <summary>
/// A real redis-server on a free loopback port: shared by the tests of the Redis collection, or a test's own
/// (<see cref="StartOwnAsync"/>) when it kills, freezes or restarts it.
/// </summary>
public sealed class RedisServer : IAsyncLifetime, IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("enrichproxy-redis-").FullName;
    private Process? _process;

    public int Port { get; private set; }

    public string Configuration => $"127.0.0.1:{Port}";

    /// <summary>A server of the caller's own, started; dispose it at the end of the test.</summary>
    public static async Task<RedisServer> StartOwnAsync()
    {
        var server = new RedisServer();
        await server.InitializeAsync();
        return server;
    }

    public Task InitializeAsync()
    {
        Port = FreePort();
        return StartAsync();
    }

    /// <summary>SIGKILL: the connections drop at once and the port refuses new ones.</summary>
    public void Kill()
    {
        _process?.Kill(entireProcessTree: true);
        _process?.WaitForExit(5000);
    }

    /// <summary>SIGSTOP: the connections stay open and nothing answers, as a server stuck in a long command or a full disk.</summary>
    public void Freeze() => Signal("STOP");

    /// <summary>SIGCONT after <see cref="Freeze"/>.</summary>
    public void Resume() => Signal("CONT");

    /// <summary>Starts the server again on the same port (empty, as after a crash without persistence).</summary>
    public Task RestartAsync()
    {
        Kill();
        _process?.Dispose();
        return StartAsync();
    }

    private void Signal(string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, _process!.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit(5000);
    }

    private async Task StartAsync()
    {
        var executable = FindExecutable("redis-server")
            ?? throw new InvalidOperationException("redis-server is not installed; run ./test.sh, which installs it.");
        _process = Process.Start(new ProcessStartInfo(executable)
        {
            ArgumentList = { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", _directory },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        _process.OutputDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try
            {
                await using var connection = await ConnectionMultiplexer.ConnectAsync(Configuration);
                await connection.GetDatabase().PingAsync();
                return;
            }
            catch (RedisConnectionException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>Forgets the server's command counts (<see cref="CallsAsync"/>).</summary>
    public async Task ResetStatisticsAsync()
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(Configuration + ",allowAdmin=true");
        await connection.GetServer(Configuration).ConfigResetStatisticsAsync();
    }

    /// <summary>How many times the server has run <paramref name="command"/> (lower case) since its counts were reset.</summary>
    public async Task<long> CallsAsync(string command)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(Configuration + ",allowAdmin=true");
        var stats = await connection.GetServer(Configuration).InfoAsync("commandstats");
        // Lines like "cmdstat_hmget:calls=9,usec=...".
        var line = stats.SelectMany(group => group).FirstOrDefault(pair => pair.Key == "cmdstat_" + command).Value;
        return line is null ? 0 : long.Parse(line.Split(',')[0]["calls=".Length..], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Every key and value in the server, as text, for the tests that look for secrets.</summary>
    public async Task<string> DumpAsync()
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(Configuration + ",allowAdmin=true");
        var server = connection.GetServer(Configuration);
        var database = connection.GetDatabase();
        var dump = new System.Text.StringBuilder();
        await foreach (var key in server.KeysAsync(pattern: "*"))
        {
            dump.AppendLine(key.ToString());
            var type = await database.KeyTypeAsync(key);
            if (type == RedisType.Hash)
            {
                foreach (var entry in await database.HashGetAllAsync(key))
                {
                    dump.Append(entry.Name.ToString()).Append('=').AppendLine(entry.Value.ToString());
                }
            }
            else if (type == RedisType.String)
            {
                dump.AppendLine((await database.StringGetAsync(key)).ToString());
            }
        }

        return dump.ToString();
    }

    ValueTask IAsyncDisposable.DisposeAsync() => new(DisposeAsync());

    public Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }

        _process?.Dispose();
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? FindExecutable(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator)
            .Append("/usr/bin").Append("/usr/sbin").Append("/usr/local/bin")
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);
}

[CollectionDefinition(Name)]
public sealed class RedisTests : ICollectionFixture<RedisServer>
{
    public const string Name = "redis";
}

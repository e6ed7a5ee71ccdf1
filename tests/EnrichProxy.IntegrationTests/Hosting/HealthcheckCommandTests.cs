using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using EnrichProxy.IntegrationTests.Infrastructure;
using static EnrichProxy.IntegrationTests.Infrastructure.ProxyHost;

namespace EnrichProxy.IntegrationTests.Hosting;

/// <summary><c>dotnet EnrichProxy.dll healthcheck</c>, run as a container's HEALTHCHECK runs it: a separate process.</summary>
public sealed class HealthcheckCommandTests
{
    // The process starts a .NET runtime and reads the configuration; on a loaded 2-core machine that takes seconds.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task ARunningProxy_IsHealthy_AtTheAddressItWasStartedWith()
    {
        var port = RedisServer.FreePort();
        await using var proxy = await StartAsync(Settings(("urls", $"http://127.0.0.1:{port}")));

        var byArgument = await RunAsync([$"--urls=http://127.0.0.1:{port}"]);
        // As in the image: ASPNETCORE_URLS on every interface, checked on loopback.
        var byEnvironment = await RunAsync([], ("ASPNETCORE_URLS", $"http://+:{port}"));
        var byPorts = await RunAsync([], ("ASPNETCORE_HTTP_PORTS", port.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        Assert.True(byArgument.ExitCode == 0, byArgument.Output);
        Assert.Contains("healthy", byArgument.Output, StringComparison.Ordinal);
        Assert.True(byEnvironment.ExitCode == 0, byEnvironment.Output);
        Assert.True(byPorts.ExitCode == 0, byPorts.Output);
    }

    [Fact]
    public async Task NothingListening_IsUnhealthy()
    {
        var port = RedisServer.FreePort();

        var result = await RunAsync([$"--urls=http://127.0.0.1:{port}"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("unhealthy", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AListenerThatNeverAnswers_IsUnhealthy_WithinItsTimeout()
    {
        // Accepts connections (the kernel does) and never answers: a hung process.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;

        var result = await RunAsync([$"--urls=http://127.0.0.1:{port}"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no answer within", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AProxyAnsweringAnErrorOnLive_IsUnhealthy()
    {
        using var upstream = new FakeUpstream();
        upstream.Server.Given(WireMock.RequestBuilders.Request.Create().WithPath("/health/live"))
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithStatusCode(503));

        var result = await RunAsync([$"--urls={upstream.Url.TrimEnd('/')}"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("503", result.Output, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string[] arguments, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "EnrichProxy.dll"));
        start.ArgumentList.Add("healthcheck");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Only what the test sets decides the address, not what the test runner's environment happens to hold.
        foreach (var name in new[] { "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "DOTNET_URLS" })
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Bound);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }
}

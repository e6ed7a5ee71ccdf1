using PuppeteerSharp;

namespace EnrichProxy.IntegrationTests.Infrastructure;

/// <summary>
/// Debian's chromium, headless, driven over the DevTools protocol (PuppeteerSharp): what a person looking at the status
/// page sees. ./test.sh installs it when missing; <c>CHROMIUM_PATH</c> points elsewhere.
/// </summary>
internal static class Chromium
{
    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } path ? path
        : File.Exists("/usr/lib/chromium/chromium") ? "/usr/lib/chromium/chromium"
        : "/usr/bin/chromium";

    public static Task<IBrowser> LaunchAsync()
    {
        Assert.True(File.Exists(ExecutablePath), $"No chromium at {ExecutablePath}: ./test.sh installs Debian's chromium, or set CHROMIUM_PATH.");
        return Puppeteer.LaunchAsync(new LaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            // As root in CI, without a GPU, in a container's small /dev/shm.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
            Timeout = 60_000,
        });
    }
}

namespace EnrichProxy.Hosting;

/// <summary>
/// Runs socket completions on the socket engine's own threads instead of handing each to the thread
/// pool (.NET's <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS</c>; Kestrel then also runs requests
/// inline). On a small machine that hop is a large share of a cache hit: 2 KB hits went from about
/// 40k to 47k requests/s on two cores (BENCHMARKS.md). It suits EnrichProxy because its request path
/// does not block a thread: the one synchronous dependency, the embedded disk L2 (SQLite), is called on
/// the thread pool (<c>ThreadPoolDistributedCache</c>). <c>EnrichProxy:Server:InlineSocketCompletions=false</c>
/// turns it off.
/// </summary>
internal static class InlineSocketCompletions
{
    private const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>
    /// Sets the runtime switch unless the environment already decided. The socket engine reads it once,
    /// when the first socket is created, so this must run before the server starts.
    /// </summary>
    public static void Apply(IConfiguration configuration)
    {
        if (OperatingSystem.IsLinux() && ShouldSetVariable(configuration, Environment.GetEnvironmentVariable(Variable)))
        {
            Environment.SetEnvironmentVariable(Variable, "1");
        }
    }

    /// <summary>Whether to set the variable: unless configured off, and never over a value the environment already gave.</summary>
    public static bool ShouldSetVariable(IConfiguration configuration, string? environmentValue) =>
        environmentValue is null && configuration.GetValue("EnrichProxy:Server:InlineSocketCompletions", defaultValue: true);
}

namespace EnrichProxy.Telemetry;

/// <summary>
/// Marks an outgoing request whose URL is itself a secret (a Discord webhook's token, an ntfy topic): HttpClient's
/// spans, which carry the full URL, are not made for it.
/// </summary>
internal static class Untraced
{
    public static readonly HttpRequestOptionsKey<bool> Key = new("EnrichProxy.Untraced");

    public static void Mark(HttpRequestMessage request) => request?.Options.Set(Key, true);

    public static bool IsMarked(HttpRequestMessage request) => request.Options.TryGetValue(Key, out var marked) && marked;
}

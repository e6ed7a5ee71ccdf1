namespace EnrichProxy.Upstreams.Resilience;

/// <summary>What the resilience pipeline learns about a request from the code that sends it.</summary>
internal static class UpstreamRequestOptions
{
    private static readonly HttpRequestOptionsKey<bool> BackgroundKey = new("EnrichProxy.Background");

    /// <summary>Marks work no client waits for (refreshes, prefetch): it takes rate-limit permits after client requests.</summary>
    public static void MarkBackground(HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Options.Set(BackgroundKey, true);
    }

    public static bool IsBackground(HttpRequestMessage request) =>
        request.Options.TryGetValue(BackgroundKey, out var background) && background;
}

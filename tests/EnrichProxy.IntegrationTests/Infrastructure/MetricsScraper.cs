namespace EnrichProxy.IntegrationTests.Infrastructure;

internal static class MetricsScraper
{
    /// <summary>
    /// Scrapes <c>/metrics</c> until <paramref name="expected"/> shows: the exporter reads instruments on
    /// its own schedule and serves a scrape again for a moment.
    /// </summary>
    public static async Task<string> ScrapeAsync(this ProxyHost proxy, string expected)
    {
        ArgumentNullException.ThrowIfNull(proxy);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        string text;
        while (!(text = await proxy.Client.GetStringAsync("/metrics")).Contains(expected, StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        return text;
    }
}

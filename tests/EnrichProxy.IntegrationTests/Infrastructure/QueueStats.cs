using System.Text.Json;
using EnrichProxy.IntegrationTests.Infrastructure;

namespace EnrichProxy.IntegrationTests.Infrastructure;

/// <summary>The <c>queue</c> part of <c>/admin/stats</c>, and waits on it.</summary>
internal static class QueueStats
{
    public static async Task<JsonElement> ReadAsync(ProxyHost proxy)
    {
        using var response = await proxy.StatsAsync();
        response.EnsureSuccessStatusCode();
        using var stats = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return stats.RootElement.GetProperty("queue").Clone();
    }

    /// <summary>Jobs of <paramref name="kind"/> that ended with <paramref name="result"/>.</summary>
    public static long Finished(JsonElement queue, string kind, string result) =>
        queue.GetProperty("finished").TryGetProperty(kind, out var byResult) && byResult.TryGetProperty(result, out var count) ? count.GetInt64() : 0;

    public static long Deduplicated(JsonElement queue, string kind) =>
        queue.GetProperty("deduplicated").TryGetProperty(kind, out var count) ? count.GetInt64() : 0;

    /// <summary>Waits until nothing waits or runs and <paramref name="condition"/> holds.</summary>
    public static async Task<JsonElement> WaitUntilIdleAsync(ProxyHost proxy, Func<JsonElement, bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var queue = await ReadAsync(proxy);
            if (queue.GetProperty("depth").GetInt64() == 0 && queue.GetProperty("running").GetInt64() == 0 && condition(queue))
            {
                return queue;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The queue did not get there: {queue}");
            }

            await Task.Delay(50);
        }
    }
}

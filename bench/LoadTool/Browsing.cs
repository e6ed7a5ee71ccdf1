using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

/// <summary>
/// The browsing workload: each movie of the catalogue is opened once, in a shuffled order shared out among
/// the users; after each click a user thinks for a moment, then opens the movie's collection, then each of
/// the collection's other movies. Only HIT counts as a hit (a request that joined a fill still in flight is a MISS).
/// </summary>
internal static class Browsing
{
    public static async Task<string> RunAsync(string baseUrl, int firstMovie, int movies, int users, int thinkMs)
    {
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = users, UseProxy = false })
        {
            BaseAddress = new Uri(baseUrl),
            Timeout = TimeSpan.FromSeconds(60),
        };
        var order = Enumerable.Range(firstMovie, movies).ToArray();
        new Random(42).Shuffle(order);
        var next = -1;
        var results = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var latencies = new ConcurrentBag<double>();
        var clock = Stopwatch.StartNew();

        async Task<JsonDocument> OpenAsync(string path)
        {
            await Task.Delay(thinkMs);
            var one = Stopwatch.StartNew();
            using var response = await client.GetAsync(path);
            var body = await response.Content.ReadAsByteArrayAsync();
            latencies.Add(one.Elapsed.TotalMilliseconds);
            var cache = response.Headers.TryGetValues("X-Cache", out var values) ? values.First() : $"status {(int)response.StatusCode}";
            results.AddOrUpdate(cache, 1, (_, n) => n + 1);
            return JsonDocument.Parse(body);
        }

        await Task.WhenAll(Enumerable.Range(0, users).Select(async _ =>
        {
            for (var i = Interlocked.Increment(ref next); i < order.Length; i = Interlocked.Increment(ref next))
            {
                var opened = order[i];
                using var movie = await OpenAsync($"/tmdb/3/movie/{opened}");
                if (!movie.RootElement.TryGetProperty("belongs_to_collection", out var owner) || owner.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                using var collection = await OpenAsync($"/tmdb/3/collection/{owner.GetProperty("id").GetInt32()}");
                foreach (var part in collection.RootElement.GetProperty("parts").EnumerateArray())
                {
                    var sibling = part.GetProperty("id").GetInt32();
                    if (sibling != opened)
                    {
                        (await OpenAsync($"/tmdb/3/movie/{sibling}")).Dispose();
                    }
                }
            }
        }));

        var total = results.Values.Sum();
        var hits = results.GetValueOrDefault("HIT");
        var sorted = latencies.Order().ToList();
        return JsonSerializer.Serialize(new
        {
            requests = total,
            hits,
            hit_ratio = Math.Round((double)hits / total, 4),
            x_cache = results.OrderBy(r => r.Key, StringComparer.Ordinal).ToDictionary(r => r.Key, r => r.Value),
            p50_ms = Math.Round(sorted[sorted.Count / 2], 1),
            p99_ms = Math.Round(sorted[Math.Min(sorted.Count - 1, (int)(sorted.Count * 0.99))], 1),
            seconds = Math.Round(clock.Elapsed.TotalSeconds, 1),
        });
    }
}

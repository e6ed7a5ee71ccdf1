using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;

// herd   <url>[,<url>...] <count>          count simultaneous requests for one URL (dealt out among several), on warm connections
// fill   <url-prefix> <keys> <concurrency>  GET prefix+0 .. prefix+(keys-1)
// probe  <url-prefix> <keys> <concurrency>  GET each key once on warm connections: statuses, X-Cache values, latency
// browse <base-url> <first-movie> <movies> <users> <think-ms>  users open each movie once, then its
//        collection, then the collection's other movies, as TMDb clients do: X-Cache values, hit ratio
// radarr-refresh <base-url> <first-id> <movies> <bulk-size> [--proxy url --ca file]  a library refresh as bulk lookups
// tls-hits <url> <seconds> <connections> [--proxy url --ca file | --connect ip:port --ca file]  hits for a while
// Prints one line of JSON.
var command = args[0];
var result = command switch
{
    "herd" => await HerdAsync(args[1], int.Parse(args[2], CultureInfo.InvariantCulture)),
    "fill" => await KeysAsync(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), int.Parse(args[3], CultureInfo.InvariantCulture)),
    "probe" => await KeysAsync(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), int.Parse(args[3], CultureInfo.InvariantCulture), warm: true),
    "browse" => await Browsing.RunAsync(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), int.Parse(args[3], CultureInfo.InvariantCulture),
        int.Parse(args[4], CultureInfo.InvariantCulture), int.Parse(args[5], CultureInfo.InvariantCulture)),
    "radarr-refresh" => await Radarr.RefreshAsync(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), int.Parse(args[3], CultureInfo.InvariantCulture),
        int.Parse(args[4], CultureInfo.InvariantCulture), args[5..]),
    "tls-hits" => await Radarr.HitsAsync(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), int.Parse(args[3], CultureInfo.InvariantCulture), args[4..]),
    _ => throw new ArgumentException($"unknown command {command}"),
};
Console.WriteLine(result);

static HttpClient Client(int connections) => new(new SocketsHttpHandler
{
    MaxConnectionsPerServer = connections,
    PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
    UseProxy = false,
})
{ Timeout = TimeSpan.FromSeconds(60) };

static async Task<string> HerdAsync(string urls, int count)
{
    // Several comma-separated URLs (instances behind a load balancer): the herd is dealt out among them.
    var targets = urls.Split(',').Select(url => new Uri(url)).ToArray();
    using var client = Client(count);
    // Open every connection first, so the herd measures the cache, not TCP handshakes.
    await Task.WhenAll(Enumerable.Range(0, count).Select(i => client.GetAsync(new Uri(targets[i % targets.Length], "/health/live"))));

    var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    var tasks = Enumerable.Range(0, count).Select(async i =>
    {
        await start.Task;
        var clock = Stopwatch.StartNew();
        using var response = await client.GetAsync(targets[i % targets.Length]);
        await response.Content.ReadAsByteArrayAsync();
        return (clock.Elapsed.TotalMilliseconds, (int)response.StatusCode);
    }).ToList();
    var startedAt = (DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).TotalMilliseconds;
    start.SetResult();
    var results = await Task.WhenAll(tasks);
    // When the herd began (Unix ms), to set against when its fill reached the origin (the origin's /__arrivals).
    var summary = Summary(results.Select(r => r.TotalMilliseconds).ToList(), results.Count(r => r.Item2 == 200), results.Length, new())[..^1]
        + string.Create(CultureInfo.InvariantCulture, $",\"started_unix_ms\":{startedAt:0.0}}}");
    if (targets.Length == 1)
    {
        return summary;
    }

    // Each target's own waiters too (p50 and p99 in ms): the instance that filled against those that waited for it.
    var perTarget = string.Join(',', Enumerable.Range(0, targets.Length).Select(t =>
    {
        var mine = results.Where((_, i) => i % targets.Length == t).Select(r => r.TotalMilliseconds).Order().ToList();
        return string.Create(CultureInfo.InvariantCulture, $"{{\"p50\":{mine[(mine.Count - 1) / 2]:0.0},\"p99\":{mine[Math.Max(0, (int)Math.Ceiling(0.99 * mine.Count) - 1)]:0.0}}}");
    }));
    return summary[..^1] + $",\"targets\":[{perTarget}]}}";
}

static async Task<string> KeysAsync(string prefix, int keys, int concurrency, bool warm = false)
{
    using var client = Client(concurrency);
    if (warm)
    {
        // As the herd does: the connections open and this tool's own code warm before the clock starts, so the
        // first requests measure the server, not TCP handshakes and the tool's JIT.
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => client.GetAsync(new Uri(new Uri(prefix), "/health/live"))));
    }

    var latencies = new ConcurrentBag<double>();
    var cacheResults = new ConcurrentDictionary<string, int>();
    var ok = 0;
    var clock = Stopwatch.StartNew();
    await Parallel.ForEachAsync(Enumerable.Range(0, keys), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (key, token) =>
    {
        var one = Stopwatch.StartNew();
        try
        {
            using var response = await client.GetAsync(prefix + key.ToString(CultureInfo.InvariantCulture), token);
            await response.Content.ReadAsByteArrayAsync(token);
            latencies.Add(one.Elapsed.TotalMilliseconds);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                Interlocked.Increment(ref ok);
            }

            var cache = response.Headers.TryGetValues("X-Cache", out var values) ? values.First() : "none";
            cacheResults.AddOrUpdate(cache, 1, (_, n) => n + 1);
        }
        catch (HttpRequestException)
        {
            latencies.Add(one.Elapsed.TotalMilliseconds);
            cacheResults.AddOrUpdate("error", 1, (_, n) => n + 1);
        }
    });
    var summary = Summary([.. latencies], ok, keys, cacheResults);
    return summary.TrimEnd('}') + string.Create(CultureInfo.InvariantCulture, $",\"seconds\":{clock.Elapsed.TotalSeconds:0.00}}}");
}

static string Summary(List<double> latencies, int ok, int total, ConcurrentDictionary<string, int> cache)
{
    latencies.Sort();
    double Percentile(double p) => latencies.Count == 0 ? 0 : latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(p * latencies.Count) - 1)];
    var cacheJson = string.Join(',', cache.OrderBy(c => c.Key).Select(c => $"\"{c.Key}\":{c.Value}"));
    return string.Create(CultureInfo.InvariantCulture,
        $"{{\"total\":{total},\"ok\":{ok},\"p50_ms\":{Percentile(0.50):0.0},\"p99_ms\":{Percentile(0.99):0.0},\"max_ms\":{(latencies.Count == 0 ? 0 : latencies[^1]):0.0},\"x_cache\":{{{cacheJson}}}}}");
}

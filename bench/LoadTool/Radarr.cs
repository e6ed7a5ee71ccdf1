using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

/// <summary>
/// Radarr's side of the forward proxy: an <see cref="HttpClient"/> set up as Radarr sets up its own (a
/// <see cref="SocketsHttpHandler"/> with a <see cref="WebProxy"/> and proxy credentials, trusting the proxy's CA),
/// a library refresh as bulk lookups, and a hit loop over HTTPS or plain HTTP for a given time.
/// </summary>
internal static class Radarr
{
    /// <summary>
    /// POSTs <c>/v1/movie/bulk</c> for <paramref name="movies"/> TMDb ids from <paramref name="firstId"/>, <paramref name="bulkSize"/>
    /// at a time, one after the other as Radarr's refresh does. Options: <c>--proxy url --ca file</c>.
    /// </summary>
    public static async Task<string> RefreshAsync(string baseUrl, int firstId, int movies, int bulkSize, string[] options)
    {
        using var client = new HttpClient(Handler(1, options)) { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(120) };
        var returned = 0;
        var failed = 0;
        var latencies = new List<double>();
        var clock = Stopwatch.StartNew();
        foreach (var chunk in Enumerable.Range(firstId, movies).Chunk(bulkSize))
        {
            var one = Stopwatch.StartNew();
            using var response = await client.PostAsync("v1/movie/bulk", new StringContent(JsonSerializer.Serialize(chunk), Encoding.UTF8, "application/json"));
            var body = await response.Content.ReadAsByteArrayAsync();
            latencies.Add(one.Elapsed.TotalMilliseconds);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                failed++;
                continue;
            }

            using var document = JsonDocument.Parse(body);
            returned += document.RootElement.GetArrayLength();
        }

        latencies.Sort();
        return string.Create(CultureInfo.InvariantCulture,
            $"{{\"requests\":{latencies.Count},\"failed\":{failed},\"movies\":{returned},\"seconds\":{clock.Elapsed.TotalSeconds:0.000},\"p50_ms\":{latencies[latencies.Count / 2]:0.0},\"max_ms\":{latencies[^1]:0.0}}}");
    }

    /// <summary>
    /// GETs <paramref name="url"/> from <paramref name="connections"/> loops for <paramref name="seconds"/>, on warm connections.
    /// Options: <c>--proxy url --ca file</c> (through the forward proxy), <c>--connect host:port</c> (the TLS front door:
    /// the URL's host name is sent as SNI and Host, the connection goes to this address).
    /// </summary>
    public static async Task<string> HitsAsync(string url, int seconds, int connections, string[] options)
    {
        using var client = new HttpClient(Handler(connections, options)) { Timeout = TimeSpan.FromSeconds(30) };
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async _ => (await client.GetAsync(url)).Dispose()));

        var latencies = new ConcurrentBag<List<double>>();
        var notOk = 0;
        var until = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async _ =>
        {
            var mine = new List<double>();
            while (until.Elapsed.TotalSeconds < seconds)
            {
                var one = Stopwatch.StartNew();
                using var response = await client.GetAsync(url, HttpCompletionOption.ResponseContentRead);
                mine.Add(one.Elapsed.TotalMilliseconds);
                if (response.StatusCode != HttpStatusCode.OK || !response.Headers.TryGetValues("X-Cache", out var cache) || cache.First() != "HIT")
                {
                    Interlocked.Increment(ref notOk);
                }
            }

            latencies.Add(mine);
        }));
        var elapsed = until.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToList();
        return string.Create(CultureInfo.InvariantCulture,
            $"{{\"rps\":{all.Count / elapsed:0},\"p50_ms\":{all[all.Count / 2]:0.00},\"p99_ms\":{all[(int)(all.Count * 0.99)]:0.00},\"not_hits\":{notOk}}}");
    }

    private static SocketsHttpHandler Handler(int connections, string[] options)
    {
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = connections, UseProxy = false, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) };
        if (Option(options, "--proxy") is { } proxy)
        {
            var uri = new Uri(proxy);
            var credentials = uri.UserInfo.Split(':', 2);
            handler.UseProxy = true;
            handler.Proxy = new WebProxy(new Uri(uri.GetLeftPart(UriPartial.Authority)))
            {
                Credentials = credentials.Length == 2 ? new NetworkCredential(Uri.UnescapeDataString(credentials[0]), Uri.UnescapeDataString(credentials[1])) : null,
            };
        }

        if (Option(options, "--ca") is { } caFile)
        {
            var ca = X509CertificateLoader.LoadCertificateFromFile(caFile);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(new X509Certificate2(certificate));
            };
        }

        if (Option(options, "--connect") is { } address)
        {
            var endPoint = IPEndPoint.Parse(address);
            handler.ConnectCallback = async (_, token) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(endPoint, token);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }

        return handler;
    }

    private static string? Option(string[] options, string name)
    {
        var at = Array.IndexOf(options, name);
        return at >= 0 && at + 1 < options.Length ? options[at + 1] : null;
    }
}

using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using EnrichProxy.IntegrationTests.Fixtures;
using EnrichProxy.IntegrationTests.Infrastructure;
using EnrichProxy.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using static EnrichProxy.IntegrationTests.Infrastructure.ProxyHost;

namespace EnrichProxy.IntegrationTests.Telemetry;

/// <summary>
/// Traces, metrics and logs exported by OTLP (http/protobuf) to a stub collector, the propagation of
/// <c>traceparent</c> upstream, and a scan of everything exported for keys.
/// </summary>
public sealed class OtlpExportTests : IDisposable
{
    private const string TmdbKey = "UPSTREAM-TMDB-KEY-a8c1f07e";
    private const string RadarrKey = "UPSTREAM-RADARR-KEY-5b2d9e41";
    private const string ClientKey = "CLIENT-KEY-e3f96c20";
    private const string ClientBearer = "CLIENT-BEARER-7a0b3d55";
    private const string ProxyInboundKey = "PROXY-INBOUND-KEY-91c4e6a3";

    private readonly FakeUpstream _tmdb = new();
    private readonly FakeUpstream _radarr = new();
    private readonly WireMockServer _collector = WireMockServer.Start();

    public OtlpExportTests()
    {
        _collector.Given(Request.Create().UsingPost()).RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/x-protobuf"));
        _tmdb.Json(Tmdb.MoviePath, Tmdb.Movie());
        _tmdb.Json("/3/movie/604", Tmdb.Movie("Reloaded"));
        _tmdb.Json("/3/movie/500", $$"""{"status_message":"failed for api_key={{TmdbKey}}"}""", status: 500);
        _tmdb.Json("/3/movie/603/rating", """{"success":true}""");
        _radarr.Json("/api/v3/movie", """[{"id":1,"title":"The Matrix","tmdbId":603}]""");
    }

    [Fact]
    public async Task TracesMetricsAndLogs_ReachTheCollector_AndTraceparentReachesTheUpstream()
    {
        await using var proxy = await StartAsync(Settings());
        var traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        using var request = new HttpRequestMessage(HttpMethod.Get, "/tmdb/3/movie/604");
        request.Headers.Add("traceparent", $"00-{traceId}-00f067aa0ba902b7-01");

        // The app's tracer listens in this process too: this client must send the header as given, not its own.
        using var client = new HttpClient(new SocketsHttpHandler { ActivityHeadersPropagator = null }) { BaseAddress = proxy.Client.BaseAddress };
        using var response = await client.SendAsync(request);
        await proxy.Client.GetAsync("/tmdb/3/movie/500");

        Assert.Equal("MISS", response.XCache());
        var upstreamTraceparent = _tmdb.Received("/3/movie/604").Single().RequestMessage.Headers!["traceparent"].Single();
        Assert.StartsWith($"00-{traceId}-", upstreamTraceparent, StringComparison.Ordinal);
        var traces = await ReceivedAsync("/v1/traces", Encoding.UTF8.GetBytes("enrichproxy.cache.fill"));
        Assert.Contains(traces, body => Contains(body, Convert.FromHexString(traceId)) && Contains(body, Encoding.UTF8.GetBytes("enrichproxy.cache.lookup")));
        Assert.NotEmpty(await ReceivedAsync("/v1/metrics", Encoding.UTF8.GetBytes("enrichproxy.upstream.requests")));
        Assert.NotEmpty(await ReceivedAsync("/v1/logs", Encoding.UTF8.GetBytes("UpstreamAnswerFailed")));
    }

    [Fact]
    public async Task NoKey_InAnySpanMetricLogOrAnswer()
    {
        await using var proxy = await StartAsync(Settings());
        var answers = new StringBuilder();

        foreach (var path in new[] { $"/tmdb/3/movie/603?api_key={ClientKey}", $"/tmdb/3/movie/603?api_key={ClientKey}", $"/tmdb/3/movie/500?api_key={ClientKey}&language=en" })
        {
            answers.Append(await DescribeAsync(await proxy.Client.GetAsync(path)));
        }

        using (var bearer = new HttpRequestMessage(HttpMethod.Get, "/tmdb/3/movie/603?language=en"))
        {
            bearer.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ClientBearer);
            answers.Append(await DescribeAsync(await proxy.Client.SendAsync(bearer)));
        }

        answers.Append(await DescribeAsync(await proxy.Client.PostAsync($"/tmdb/3/movie/603/rating?api_key={ClientKey}", new StringContent("""{"value":8}"""))));
        foreach (var key in new[] { RadarrKey, ProxyInboundKey, ClientKey })
        {
            using var arr = new HttpRequestMessage(HttpMethod.Get, "/radarr/api/v3/movie");
            arr.Headers.Add("X-Api-Key", key);
            answers.Append(await DescribeAsync(await proxy.Client.SendAsync(arr)));
        }

        answers.Append(await DescribeAsync(await proxy.Client.GetAsync($"/radarr/api/v3/movie?apikey={ClientKey}")));
        answers.Append(await DescribeAsync(await proxy.PurgeAsync(new { url = $"/tmdb/3/movie/603?api_key={ClientKey}" })));
        answers.Append(await DescribeAsync(await proxy.StatsAsync()));

        // Everything the run produced goes out now, the purge's span and log line included. (The meter
        // provider's answer also counts the Prometheus exporter, which has nothing to flush.)
        Assert.True(proxy.Services.GetRequiredService<TracerProvider>().ForceFlush(10_000));
        proxy.Services.GetRequiredService<MeterProvider>().ForceFlush(10_000);
        Assert.True(proxy.Services.GetRequiredService<LoggerProvider>().ForceFlush(10_000));
        var exported = new List<byte[]>();
        exported.AddRange(await ReceivedAsync("/v1/traces", Encoding.UTF8.GetBytes(EnrichProxySpans.AdminPurge)));
        exported.AddRange(await ReceivedAsync("/v1/metrics", Encoding.UTF8.GetBytes("enrichproxy.upstream.requests")));
        exported.AddRange(await ReceivedAsync("/v1/logs", Encoding.UTF8.GetBytes("Purged")));
        var scrape = await proxy.ScrapeAsync("enrichproxy_upstream_requests_total");
        var texts = new Dictionary<string, string>
        {
            ["answers"] = answers.ToString(),
            ["/metrics"] = scrape,
            ["logs"] = proxy.Logs.AllText,
        };

        Assert.Contains("/3/movie/500", proxy.Logs.AllText, StringComparison.Ordinal);
        foreach (var secret in new[] { TmdbKey, RadarrKey, ClientKey, ClientBearer, ProxyInboundKey, AdminClient.Key })
        {
            var bytes = Encoding.UTF8.GetBytes(secret);
            Assert.DoesNotContain(exported, body => Contains(body, bytes));
            foreach (var (name, text) in texts)
            {
                Assert.False(text.Contains(secret, StringComparison.Ordinal), $"{secret} found in {name}");
            }
        }
    }

    public void Dispose()
    {
        _collector.Stop();
        _tmdb.Dispose();
        _radarr.Dispose();
    }

    private static async Task<string> DescribeAsync(HttpResponseMessage response)
    {
        using (response)
        {
            return $"{(int)response.StatusCode} {response.Headers} {response.Content.Headers} {await response.Content.ReadAsStringAsync()}\n";
        }
    }

    /// <summary>The bodies the collector received at <paramref name="path"/>, once one of them holds <paramref name="expected"/>.</summary>
    private async Task<List<byte[]>> ReceivedAsync(string path, byte[] expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var bodies = _collector.LogEntries
                .Where(entry => entry.RequestMessage.Path == path && entry.RequestMessage.BodyAsBytes is not null)
                .Select(entry => entry.RequestMessage.BodyAsBytes!)
                .ToList();
            if (bodies.Any(body => Contains(body, expected)) || DateTime.UtcNow > deadline)
            {
                Assert.True(bodies.Any(body => Contains(body, expected)), $"the collector received nothing with {Encoding.UTF8.GetString(expected)} at {path}");
                return bodies;
            }

            await Task.Delay(100);
        }
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;

    private Dictionary<string, string> Settings() => ProxyHost.Settings(
        Destination("tmdb", _tmdb.Url),
        Destination("radarr", _radarr.Url),
        AdminClient.Enabled,
        ("EnrichProxy:Upstreams:tmdb:ApiKey", TmdbKey),
        ("EnrichProxy:Upstreams:tmdb:Retry:MaxRetries", "0"),
        ("EnrichProxy:Upstreams:radarr:ApiKey", RadarrKey),
        ("EnrichProxy:InboundApiKey", ProxyInboundKey),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", _collector.Url!),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
        ("OTEL_BSP_SCHEDULE_DELAY", "100"),
        ("OTEL_BLRP_SCHEDULE_DELAY", "100"),
        ("OTEL_METRIC_EXPORT_INTERVAL", "300"));
}

using System.Diagnostics.Metrics;
using System.Net;
using EnrichProxy.Background;
using EnrichProxy.Configuration;
using EnrichProxy.Upstreams.Resilience;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;

namespace EnrichProxy.Tests.Upstreams;

/// <summary>
/// A cluster with a failover order: each attempt goes to the first destination whose circuit is not open and
/// moves down the order when one fails; each destination has its own circuit.
/// </summary>
public sealed class ClusterFailoverTests : IDisposable
{
    private const string Primary = "http://primary.test/api/v0.4/";
    private const string Mirror = "https://mirror.test:8443/lidarr/api/v0.4";
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero));
    private readonly List<Uri> _sent = [];
    private readonly Dictionary<string, Func<HttpResponseMessage>> _hosts = new(StringComparer.Ordinal);

    [Fact]
    public async Task ARefusedConnection_GoesToTheNextDestination_WithThePathAndQueryItCarried()
    {
        using var cluster = Cluster(["primary", "mirror"]);
        _hosts["primary.test"] = Refuse;
        _hosts["mirror.test"] = () => Answer(HttpStatusCode.OK);

        using var answer = await SendAsync(cluster, HttpMethod.Get, Primary + "artist/a%20b?album=1&q=x%2Fy");

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal(
            ["http://primary.test/api/v0.4/artist/a%20b?album=1&q=x%2Fy", "https://mirror.test:8443/lidarr/api/v0.4/artist/a%20b?album=1&q=x%2Fy"],
            _sent.Select(u => u.AbsoluteUri));
    }

    [Fact]
    public async Task AFailedAnswer_GoesToTheNextDestination_AndTheLastFailureIsTheAnswer()
    {
        using var cluster = Cluster(["primary", "mirror"]);
        _hosts["primary.test"] = () => Answer(HttpStatusCode.InternalServerError);
        _hosts["mirror.test"] = () => Answer(HttpStatusCode.BadGateway);

        using var answer = await SendAsync(cluster, HttpMethod.Get, Primary + "artist/1");

        Assert.Equal(HttpStatusCode.BadGateway, answer.StatusCode);
        Assert.Equal(2, _sent.Count);
    }

    [Fact]
    public async Task ARequestBuiltForTheMirror_StillStartsAtTheFirstDestination()
    {
        using var cluster = Cluster(["primary", "mirror"]);
        _hosts["primary.test"] = () => Answer(HttpStatusCode.OK);

        using var answer = await SendAsync(cluster, HttpMethod.Get, Mirror + "/artist/1");

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("http://primary.test/api/v0.4/artist/1", Assert.Single(_sent).AbsoluteUri);
    }

    [Fact]
    public async Task AnOpenCircuit_IsPassedOverWithoutSending_ThenAProbeBringsTheFirstDestinationBack()
    {
        using var cluster = Cluster(["primary", "mirror"], failuresBeforeOpening: 2);
        _hosts["primary.test"] = () => Answer(HttpStatusCode.ServiceUnavailable);
        _hosts["mirror.test"] = () => Answer(HttpStatusCode.OK);

        for (var i = 0; i < 2; i++)
        {
            using var failedOver = await SendAsync(cluster, HttpMethod.Get, Primary + $"artist/{i}");
            Assert.Equal(HttpStatusCode.OK, failedOver.StatusCode);
        }

        Assert.Equal(CircuitState.Open, cluster.Destinations[0].Circuit.Breaker.State);
        Assert.Equal(CircuitState.Closed, cluster.BreakerState);
        Assert.False(cluster.IsKnownFailing);
        _sent.Clear();
        using (var straightToTheMirror = await SendAsync(cluster, HttpMethod.Get, Primary + "artist/3"))
        {
            Assert.Equal(HttpStatusCode.OK, straightToTheMirror.StatusCode);
            Assert.Equal("mirror.test", Assert.Single(_sent).Host);
        }

        // Past the break, the next request is the primary's probe; it answers, so the primary is first again.
        _hosts["primary.test"] = () => Answer(HttpStatusCode.OK);
        _time.Advance(TimeSpan.FromSeconds(30));
        _sent.Clear();
        using (var probe = await SendAsync(cluster, HttpMethod.Get, Primary + "artist/4"))
        {
            Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
        }

        using (var back = await SendAsync(cluster, HttpMethod.Get, Primary + "artist/5"))
        {
            Assert.Equal(HttpStatusCode.OK, back.StatusCode);
        }

        Assert.Equal(["primary.test", "primary.test"], _sent.Select(u => u.Host));
        Assert.Equal(CircuitState.Closed, cluster.Destinations[0].Circuit.Breaker.State);
    }

    [Fact]
    public async Task EveryCircuitOpen_RefusesWithTheSoonestProbe_AndTheClusterIsKnownFailing()
    {
        using var cluster = Cluster(["primary", "mirror"], failuresBeforeOpening: 2);
        _hosts["primary.test"] = () => Answer(HttpStatusCode.InternalServerError);
        _hosts["mirror.test"] = () => Answer(HttpStatusCode.OK);
        for (var i = 0; i < 2; i++)
        {
            using var failedOver = await SendAsync(cluster, HttpMethod.Get, Primary + $"artist/{i}");
        }

        // The primary's circuit opened at 0 s; the mirror's opens at 10 s.
        _time.Advance(TimeSpan.FromSeconds(10));
        _hosts["mirror.test"] = () => Answer(HttpStatusCode.InternalServerError);
        for (var i = 0; i < 2; i++)
        {
            using var failed = await SendAsync(cluster, HttpMethod.Get, Primary + $"artist/{i}");
            Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        }

        _sent.Clear();
        var refused = await Assert.ThrowsAsync<UpstreamRefusedException>(() => SendAsync(cluster, HttpMethod.Get, Primary + "artist/9"));

        Assert.Empty(_sent);
        Assert.Equal(RefusalReason.CircuitOpen, refused.Reason);
        Assert.Equal(TimeSpan.FromSeconds(20), refused.RetryAfter);
        Assert.Equal(CircuitState.Open, cluster.BreakerState);
        Assert.True(cluster.IsKnownFailing);
    }

    [Fact]
    public async Task ARequestWithABody_MovesOnOnlyWhenNothingReachedTheFailedDestination()
    {
        using var cluster = Cluster(["primary", "mirror"]);
        _hosts["primary.test"] = () => Answer(HttpStatusCode.ServiceUnavailable);
        _hosts["mirror.test"] = () => Answer(HttpStatusCode.OK);

        using (var sentOnce = await SendAsync(cluster, HttpMethod.Post, Primary + "search", new StringContent("{}")))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, sentOnce.StatusCode);
            Assert.Single(_sent);
        }

        _hosts["primary.test"] = Refuse;
        _sent.Clear();
        using var movedOn = await SendAsync(cluster, HttpMethod.Post, Primary + "search", new StringContent("{}"));

        Assert.Equal(HttpStatusCode.OK, movedOn.StatusCode);
        Assert.Equal(["primary.test", "mirror.test"], _sent.Select(u => u.Host));
    }

    [Fact]
    public async Task ARefusedConnection_MarksOnlyThatDestinationAsFailing()
    {
        using var cluster = Cluster(["primary", "mirror"]);
        _hosts["primary.test"] = Refuse;
        _hosts["mirror.test"] = () => Answer(HttpStatusCode.OK);

        using var answer = await SendAsync(cluster, HttpMethod.Get, Primary + "artist/1");

        Assert.True(cluster.Destinations[0].Circuit.RefusedRecently);
        Assert.False(cluster.Destinations[1].Circuit.RefusedRecently);
        Assert.False(cluster.IsKnownFailing);
        _time.Advance(DestinationCircuit.RefusedWindow);
        Assert.False(cluster.Destinations[0].Circuit.RefusedRecently);
    }

    [Fact]
    public async Task AVerdictOnABackgroundJobsRequest_IsRecordedWhileTheJobsThreadIsBusy()
    {
        using var cluster = Cluster(["primary", "mirror"]);
        using var jobs = new BackgroundThread();
        var primary = new TaskCompletionSource<HttpResponseMessage>();
        using var busy = new ManualResetEventSlim();
        Task<HttpResponseMessage> sent = null!;

        // A refresh's request, sent from the jobs' thread, waits for its connection; then the thread is kept busy.
        await jobs.Start(() =>
        {
            sent = cluster.SendAsync(new HttpRequestMessage(HttpMethod.Get, Primary + "artist/1"), (message, _) =>
                message.RequestUri!.Host == "primary.test" ? primary.Task : Task.FromResult(Answer(HttpStatusCode.OK)), CancellationToken.None);
            return Task.CompletedTask;
        }).WaitAsync(TimeSpan.FromSeconds(10));
        var blocker = jobs.Start(() =>
        {
            busy.Wait(TimeSpan.FromSeconds(10));
            return Task.CompletedTask;
        });

        primary.SetException(new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused"));

        // Recorded, and the request moved on to the mirror and answered, while the jobs' thread is still busy: the
        // circuit's bookkeeping does not wait for it (a refresh may hold a breaker's probe, which clients wait for).
        using var answer = await sent.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(blocker.IsCompleted);
        Assert.True(cluster.Destinations[0].Circuit.RefusedRecently);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        busy.Set();
        await blocker.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task WithoutAFailoverOrder_EachDestinationHasItsOwnCircuit_AndNothingMovesOn()
    {
        using var cluster = Cluster([], failuresBeforeOpening: 2);
        _hosts["primary.test"] = () => Answer(HttpStatusCode.InternalServerError);
        _hosts["mirror.test"] = () => Answer(HttpStatusCode.OK);
        for (var i = 0; i < 2; i++)
        {
            using var failed = await SendAsync(cluster, HttpMethod.Get, Primary + $"artist/{i}");
            Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        }

        await Assert.ThrowsAsync<UpstreamRefusedException>(() => SendAsync(cluster, HttpMethod.Get, Primary + "artist/3"));
        using var mirrored = await SendAsync(cluster, HttpMethod.Get, Mirror + "/artist/3");

        Assert.Equal(HttpStatusCode.OK, mirrored.StatusCode);
        Assert.Equal(["primary.test", "primary.test", "mirror.test"], _sent.Select(u => u.Host));
        Assert.Equal(CircuitState.Closed, cluster.BreakerState);
    }

    [Theory]
    [InlineData("http://primary.test/api/v0.4/artist/1", "primary")]
    [InlineData("http://primary.test/api/v0.4", "primary")]
    [InlineData("http://PRIMARY.test:80/api/v0.4/", "primary")]
    [InlineData("http://primary.test/api/v0.4x/artist/1", null)]
    [InlineData("https://primary.test/api/v0.4/artist/1", null)]
    [InlineData("https://mirror.test:8443/lidarr/api/v0.4/artist", "mirror")]
    [InlineData("https://mirror.test/lidarr/api/v0.4/artist", null)]
    public void ARequest_BelongsToTheDestinationWhoseAddressItBeginsWith(string requestUri, string? destination)
    {
        var set = DestinationSet.Build(Destinations(), ["primary", "mirror"], id => new DestinationCircuit(id, 5, TimeSpan.FromSeconds(30), _time));

        Assert.Equal(destination, set.Of(new Uri(requestUri))?.Id);
        Assert.Equal(["primary", "mirror"], set.InOrder.Select(d => d.Id));
        Assert.True(set.FailsOver);
    }

    public void Dispose() => _services.Dispose();

    private static HttpResponseMessage Refuse() =>
        throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused");

    private static HttpResponseMessage Answer(HttpStatusCode status) => new(status);

    private static IReadOnlyList<DestinationState> Destinations() =>
    [
        new("mirror", new DestinationModel(new DestinationConfig { Address = Mirror })),
        new("primary", new DestinationModel(new DestinationConfig { Address = Primary })),
    ];

    private ClusterResilience Cluster(string[] failoverOrder, int failuresBeforeOpening = 5)
    {
        var options = new UpstreamOptions
        {
            FailoverOrder = failoverOrder,
            CircuitBreaker = new CircuitBreakerOptions { FailuresBeforeOpening = failuresBeforeOpening },
            // Back-offs would wait on the fake clock; a failover needs none.
            Retry = new RetryOptions { MaxRetries = 0 },
        };
        var destinations = Destinations();
        return new ClusterResilience(
            "lidarr-metadata", options, () => destinations, _time, new UpstreamMetrics(_services.GetRequiredService<IMeterFactory>()), NullLogger.Instance);
    }

    private Task<HttpResponseMessage> SendAsync(ClusterResilience cluster, HttpMethod method, string uri, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, uri) { Content = content };
        return cluster.SendAsync(request, (message, _) =>
        {
            _sent.Add(message.RequestUri!);
            return _hosts.TryGetValue(message.RequestUri!.Host, out var answer)
                ? Task.FromResult(answer())
                : Task.FromException<HttpResponseMessage>(new InvalidOperationException($"nothing listens at {message.RequestUri}"));
        }, CancellationToken.None);
    }
}

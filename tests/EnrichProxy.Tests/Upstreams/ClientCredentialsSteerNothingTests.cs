using System.Diagnostics.Metrics;
using System.Net;
using EnrichProxy.Configuration;
using EnrichProxy.Upstreams.Resilience;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;

namespace EnrichProxy.Tests.Upstreams;

/// <summary>Only requests on the proxy's credentials (or none) steer a cluster's shared pause and circuit.</summary>
public sealed class ClientCredentialsSteerNothingTests : IDisposable
{
    private const string Address = "http://tmdb.test/";
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero));

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public async Task A429WithRetryAfter_PausesTheCluster_OnlyWhenItAnsweredTheProxysCredentials(bool clientCredentials, bool paused)
    {
        using var cluster = Cluster();

        using var answer = await SendAsync(cluster, clientCredentials, () =>
        {
            var limited = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
            limited.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(30));
            return limited;
        });

        Assert.Equal(HttpStatusCode.TooManyRequests, answer.StatusCode);
        Assert.Equal(paused, cluster.Pause.Remaining is not null);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public async Task FailingAnswers_OpenTheCircuit_OnlyWhenTheyAnsweredTheProxysCredentials(bool clientCredentials, bool opens)
    {
        using var cluster = Cluster();

        for (var i = 0; i < 5; i++)
        {
            using var answer = await SendAsync(cluster, clientCredentials, () => new HttpResponseMessage(HttpStatusCode.InternalServerError));
        }

        Assert.Equal(opens ? CircuitState.Open : CircuitState.Closed, cluster.BreakerState);
    }

    [Fact]
    public async Task TheProbeOfAHalfOpenCircuit_OpensItAgainWhenItFails_WhoeverSentIt()
    {
        using var cluster = Cluster();
        for (var i = 0; i < 5; i++)
        {
            using var failed = await SendAsync(cluster, clientCredentials: false, () => new HttpResponseMessage(HttpStatusCode.InternalServerError));
        }

        Assert.Equal(CircuitState.Open, cluster.BreakerState);
        _time.Advance(TimeSpan.FromSeconds(31)); // Past the break: the next request is the probe.

        using var probe = await SendAsync(cluster, clientCredentials: true, () => new HttpResponseMessage(HttpStatusCode.InternalServerError));

        Assert.Equal(CircuitState.Open, cluster.BreakerState);
    }

    [Fact]
    public async Task RefusedConnections_OpenTheCircuit_WhoeverSentTheRequests()
    {
        using var cluster = Cluster();

        for (var i = 0; i < 5; i++)
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => SendAsync(cluster, clientCredentials: true,
                () => throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused")));
        }

        Assert.Equal(CircuitState.Open, cluster.BreakerState);
    }

    public void Dispose() => _services.Dispose();

    private ClusterResilience Cluster()
    {
        var options = new UpstreamOptions { Retry = new RetryOptions { MaxRetries = 0 }, CircuitBreaker = new CircuitBreakerOptions { FailuresBeforeOpening = 5 } };
        IReadOnlyList<DestinationState> destinations = [new("default", new DestinationModel(new DestinationConfig { Address = Address }))];
        return new ClusterResilience("tmdb", options, () => destinations, _time, new UpstreamMetrics(_services.GetRequiredService<IMeterFactory>()), NullLogger.Instance);
    }

    private static Task<HttpResponseMessage> SendAsync(ClusterResilience cluster, bool clientCredentials, Func<HttpResponseMessage> answer)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, Address + "3/movie/603");
        if (clientCredentials)
        {
            UpstreamRequestOptions.MarkClientCredentials(request);
        }

        return cluster.SendAsync(request, (_, _) => Task.FromResult(answer()), CancellationToken.None);
    }
}

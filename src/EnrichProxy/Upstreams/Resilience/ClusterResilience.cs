using System.Diagnostics;
using System.Net;
using System.Runtime.ExceptionServices;
using EnrichProxy.Configuration;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using Yarp.ReverseProxy.Model;

namespace EnrichProxy.Upstreams.Resilience;

/// <summary>
/// Everything one cluster's upstream requests go through, outermost first: a pause the upstream asked
/// for; a total timeout; retries of idempotent requests; then per attempt the pause again and, for each
/// destination tried, the rate limit (one permit per request sent, since an upstream sees each), the
/// destination's circuit breaker and the attempt timeout. With a failover order, an attempt goes to the
/// first destination whose circuit is not open and moves down the order when one fails. Built on Polly 8
/// (timeouts, retries) and System.Threading.RateLimiting, with a breaker that counts failures in a row.
/// Refused requests never count for or against an upstream's health, and neither do answers to a client's own
/// credentials (<see cref="UpstreamRequestOptions.CarriesClientCredentials"/>): a client's 429 or failing requests
/// pause and break the cluster for no one else. Its awaits do not come back to the caller's scheduler: what is
/// recorded after an attempt (the breaker's verdict, a pause, a refused connection) must not wait for the background
/// jobs' thread (<see cref="Background.BackgroundThread"/>) when a job sent it, a refresh holding a circuit's probe say.
/// </summary>
internal sealed partial class ClusterResilience : IDisposable
{
    private static readonly ResiliencePropertyKey<HttpRequestMessage> RequestKey = new("EnrichProxy.Request");
    private static readonly TimeSpan ShortestRefusedPause = TimeSpan.FromSeconds(1);

    private readonly UpstreamMetrics _metrics;
    private readonly ClusterRateLimiter? _rateLimiter;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly ResiliencePipeline _attempt;
    private readonly ClusterDestinations _destinations;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    // currentDestinations: the cluster's destinations as YARP holds them now; null until it has the cluster.
    // previous: the pipeline this one replaces after a change of the cluster's settings, whose pause and report carry over.
    public ClusterResilience(
        string clusterId, UpstreamOptions options, Func<IReadOnlyList<DestinationState>?> currentDestinations, TimeProvider time, UpstreamMetrics metrics, ILogger logger,
        ClusterResilience? previous = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ClusterId = clusterId;
        _metrics = metrics;
        _metrics.Prime(clusterId);
        _logger = logger;
        _time = time;
        Pause = previous?.Pause ?? new ClusterPause(time);
        Report = previous?.Report ?? new ClusterReport(time);
        TotalTimeout = options.Timeouts.Total;
        _rateLimiter = options.RateLimit.IsEnabled ? new ClusterRateLimiter(clusterId, options.RateLimit, time) : null;
        _pipeline = BuildPipeline(options, time);
        _attempt = new ResiliencePipelineBuilder { TimeProvider = time }.AddTimeout(options.Timeouts.Attempt).Build();
        _destinations = new ClusterDestinations(clusterId, options, currentDestinations, time, metrics, logger);
    }

    public string ClusterId { get; }

    public ClusterPause Pause { get; }

    /// <summary>The last failure and the rate-limit waits, for the status page.</summary>
    public ClusterReport Report { get; }

    /// <summary>The longest a request through this pipeline can take.</summary>
    public TimeSpan TotalTimeout { get; }

    /// <summary>The cluster's destinations with their circuits, in failover order when there is one.</summary>
    public IReadOnlyList<Destination> Destinations => _destinations.Current().InOrder;

    /// <summary>The circuit as requests meet it: closed while any destination's is, open only when every one is.</summary>
    public CircuitState BreakerState => _destinations.State;

    /// <summary>
    /// Whether a request now would fail without reaching an upstream that answers: the cluster is paused, or every
    /// destination's circuit is open or refused a connection a moment ago (<see cref="DestinationCircuit.RefusedWindow"/>).
    /// </summary>
    public bool IsKnownFailing => Pause.Remaining is not null || _destinations.AllFailing;

    /// <summary>Sends <paramref name="request"/> through the pipeline with <paramref name="send"/>.</summary>
    /// <exception cref="UpstreamRefusedException">Not sent: paused, rate-limited or circuit open.</exception>
    /// <exception cref="TimeoutException">An attempt or all of them together took too long.</exception>
    public async Task<HttpResponseMessage> SendAsync(
        HttpRequestMessage request, Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> send, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await WaitOutShortPauseAsync(cancellationToken).ConfigureAwait(false);
        if (PauseRefusal() is { } paused)
        {
            _metrics.Refused(ClusterId, paused.Reason);
            throw paused;
        }

        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(RequestKey, request);
        try
        {
            var outcome = await _pipeline.ExecuteOutcomeAsync(
                static (context, state) => state.Self.AttemptAsync(state.Request, state.Send, context.CancellationToken),
                context,
                (Self: this, Request: request, Send: send)).ConfigureAwait(false);
            outcome.ThrowIfException();
            return outcome.Result!;
        }
        catch (TimeoutRejectedException timeout) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Cluster '{ClusterId}' did not answer within {timeout.Timeout}.", timeout);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    public void Dispose() => _rateLimiter?.Dispose();

    private async ValueTask<Outcome<HttpResponseMessage>> AttemptAsync(
        HttpRequestMessage request, Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> send, CancellationToken cancellationToken)
    {
        try
        {
            // A pause can begin between two attempts.
            await WaitOutShortPauseAsync(cancellationToken).ConfigureAwait(false);
            if (PauseRefusal() is { } paused)
            {
                throw paused;
            }

            var response = await SendToDestinationsAsync(request, send, cancellationToken).ConfigureAwait(false);
            // A 429 to a client's own key is about that client's quota, not the proxy's: it pauses no one else.
            if (!UpstreamRequestOptions.CarriesClientCredentials(request) && Pause.Observe(response) is { } pause)
            {
                LogPaused(_logger, ClusterId, (int)response.StatusCode, pause);
            }

            return Outcome.FromResult(response);
        }
        catch (UpstreamRefusedException refused)
        {
            _metrics.Refused(ClusterId, refused.Reason);
            return Outcome.FromException<HttpResponseMessage>(refused);
        }
#pragma warning disable CA1031 // Polly decides from the outcome; the exception is rethrown by the pipeline.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            return Outcome.FromException<HttpResponseMessage>(exception);
        }
    }

    private async Task<HttpResponseMessage> SendToDestinationsAsync(
        HttpRequestMessage request, Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> send, CancellationToken cancellationToken)
    {
        var destinations = _destinations.Current();
        var addressed = destinations.Of(request.RequestUri!);
        if (!destinations.FailsOver || addressed is null)
        {
            return await SendToAsync(addressed?.Circuit ?? _destinations.Unlisted, request, send, cancellationToken).ConfigureAwait(false);
        }

        return await FailOverAsync(destinations, addressed, request, send, cancellationToken).ConfigureAwait(false);
    }

    // Down the failover order: a destination whose circuit is open is passed over before anything is sent, one
    // that fails hands the request to the next. A request that cannot be sent twice (a body, not GET or HEAD)
    // moves on only when nothing reached the failed one (no connection). The last failure is the answer.
    private async Task<HttpResponseMessage> FailOverAsync(
        DestinationSet destinations, Destination addressed, HttpRequestMessage request,
        Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> send, CancellationToken cancellationToken)
    {
        HttpResponseMessage? failedAnswer = null;
        ExceptionDispatchInfo? failure = null;
        UpstreamRefusedException? refused = null;
        Destination? failed = null;
        var first = destinations.InOrder[0];
        try
        {
            foreach (var destination in destinations.InOrder)
            {
                if (destination.Circuit.Breaker.IsOpen(out var untilProbe))
                {
                    refused = Sooner(refused, new UpstreamRefusedException(ClusterId, RefusalReason.CircuitOpen, untilProbe));
                    continue;
                }

                if (destination != addressed)
                {
                    request.RequestUri = destination.Rebase(request.RequestUri!, addressed);
                    addressed = destination;
                }

                if (failed is not null)
                {
                    LogFailingOver(_logger, ClusterId, failed.Id, destination.Id, request.Method, request.RequestUri?.AbsolutePath);
                }

                if (destination != first)
                {
                    _metrics.FailedOver(ClusterId, destination.Id);
                }

                try
                {
                    var response = await SendToAsync(destination.Circuit, request, send, cancellationToken).ConfigureAwait(false);
                    if (!IsTransientAnswer(response) || !IsRetryable(request))
                    {
                        failedAnswer?.Dispose();
                        return response;
                    }

                    failedAnswer?.Dispose();
                    (failedAnswer, failure, failed) = (response, null, destination);
                }
                catch (UpstreamRefusedException circuitOpen) when (circuitOpen.Reason == RefusalReason.CircuitOpen)
                {
                    // Another request holds the probe of a circuit that has just half-opened.
                    refused = Sooner(refused, circuitOpen);
                }
                catch (Exception exception) when (IsTransientException(exception) && (IsRetryable(request) || IsNoConnection(exception)))
                {
                    failedAnswer?.Dispose();
                    (failedAnswer, failure, failed) = (null, ExceptionDispatchInfo.Capture(exception), destination);
                }
            }
        }
        catch
        {
            // Something other than a failure to move on from (the client left): the kept answer goes back to its pool.
            failedAnswer?.Dispose();
            throw;
        }

        if (failedAnswer is not null)
        {
            return failedAnswer;
        }

        failure?.Throw();
        throw refused!;
    }

    // The permit, then the breaker, then the attempt under its timeout. An open circuit refuses before
    // a permit is waited for, and the probe after a break is chosen only once it holds a permit. Only
    // the attempt's own outcome is a verdict on the destination; a client that left gives none.
    private async Task<HttpResponseMessage> SendToAsync(
        DestinationCircuit circuit, HttpRequestMessage request,
        Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> send, CancellationToken cancellationToken)
    {
        var breaker = circuit.Breaker;
        if (_rateLimiter is not null)
        {
            if (breaker.IsOpen(out var untilOpenProbe))
            {
                throw new UpstreamRefusedException(ClusterId, RefusalReason.CircuitOpen, untilOpenProbe);
            }

            if (await _rateLimiter.WaitForPermitAsync(UpstreamRequestOptions.Background(request), cancellationToken).ConfigureAwait(false))
            {
                _metrics.WaitedForPermit(ClusterId);
                Report.WaitedForPermit();
            }
        }

        if (!breaker.TryEnter(out var untilProbe, out var isProbe))
        {
            throw new UpstreamRefusedException(ClusterId, RefusalReason.CircuitOpen, untilProbe);
        }

        var started = Stopwatch.GetTimestamp();
        HttpResponseMessage response;
        try
        {
            response = await _attempt.ExecuteAsync(
                static (state, token) => new ValueTask<HttpResponseMessage>(state.Send(state.Request, token)),
                (Request: request, Send: send),
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (IsTransientException(exception))
        {
            var timedOut = exception is TimeoutRejectedException;
            _metrics.Sent(ClusterId, timedOut ? "timeout" : "error", Stopwatch.GetElapsedTime(started));
            var what = timedOut ? "no answer in time" : ErrorName(exception);
            LogAttemptFailed(_logger, ClusterId, circuit.DestinationId, request.Method, request.RequestUri?.AbsolutePath, what);
            Report.Failed($"{circuit.DestinationId}: {what}");
            if (IsNoConnection(exception))
            {
                // Nobody's request made the connection fail: a verdict whoever sent it.
                breaker.OnFailure(isProbe);
                circuit.OnRefusedConnection();
            }
            else
            {
                OnFailedAnswer(breaker, request, isProbe);
            }

            throw;
        }
        catch (OperationCanceledException)
        {
            // Ended by the caller (a client that left, a fill's own deadline): no verdict on the upstream.
            _metrics.Sent(ClusterId, "cancelled", Stopwatch.GetElapsedTime(started));
            breaker.OnAbandoned(isProbe);
            throw;
        }
        catch (Exception exception)
        {
            _metrics.Sent(ClusterId, "error", Stopwatch.GetElapsedTime(started));
            LogAttemptFailed(_logger, ClusterId, circuit.DestinationId, request.Method, request.RequestUri?.AbsolutePath, ErrorName(exception));
            breaker.OnAbandoned(isProbe);
            throw;
        }

        var statusCode = (int)response.StatusCode;
        _metrics.Sent(ClusterId, UpstreamMetrics.StatusLabel(statusCode), Stopwatch.GetElapsedTime(started));
        if (statusCode >= 500)
        {
            LogAnswerFailed(_logger, ClusterId, circuit.DestinationId, request.Method, request.RequestUri?.AbsolutePath, statusCode);
            Report.Failed($"{circuit.DestinationId}: answered {statusCode}");
        }

        if (IsTransientAnswer(response))
        {
            OnFailedAnswer(breaker, request, isProbe);
        }
        else
        {
            breaker.OnSuccess(isProbe);
            circuit.OnAnswered();
        }

        return response;
    }

    // A client can make its own requests fail (a slow query, a parameter the upstream chokes on): only a failure on the
    // proxy's credentials (or none) counts against the destination for everyone. The probe of a half-open circuit is
    // the exception: whoever sent it, its failure opens the circuit again, or every next request would probe.
    private static void OnFailedAnswer(ConsecutiveFailureBreaker breaker, HttpRequestMessage request, bool isProbe)
    {
        if (UpstreamRequestOptions.CarriesClientCredentials(request) && !isProbe)
        {
            breaker.OnAbandoned(isProbe);
        }
        else
        {
            breaker.OnFailure(isProbe);
        }
    }

    private static UpstreamRefusedException Sooner(UpstreamRefusedException? known, UpstreamRefusedException refused) =>
        known is null || refused.RetryAfter < known.RetryAfter ? refused : known;

    private static bool IsNoConnection(Exception exception) =>
        exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError };

    private static string ErrorName(Exception exception) =>
        exception is HttpRequestException { HttpRequestError: var error } ? error.ToString() : exception.GetType().Name;

    // Rate-limit resets come in whole seconds (MusicBrainz's X-RateLimit-Reset), so many pauses are
    // shorter than a second: a request waits those out rather than being refused.
    private async ValueTask WaitOutShortPauseAsync(CancellationToken cancellationToken)
    {
        if (Pause.Remaining is { } left && left <= ShortestRefusedPause)
        {
            await Task.Delay(left, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private UpstreamRefusedException? PauseRefusal() =>
        Pause.Remaining is { } left ? new UpstreamRefusedException(ClusterId, RefusalReason.Paused, left) : null;

    private ResiliencePipeline<HttpResponseMessage> BuildPipeline(UpstreamOptions options, TimeProvider time)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time }
            .AddTimeout(options.Timeouts.Total);
        if (options.Retry.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.Retry.MaxRetries,
                Delay = options.Retry.BaseDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = args => ValueTask.FromResult(
                    args.Context.Properties.TryGetValue(RequestKey, out var request) && IsRetryable(request)
                    && !UpstreamRequestOptions.HasStaleFallback(request) && IsTransientFailure(args.Outcome)),
                OnRetry = args =>
                {
                    // The failed answer is dropped: its connection goes back to the pool.
                    args.Outcome.Result?.Dispose();
                    _metrics.Retried(ClusterId);
                    return default;
                },
            });
        }

        return builder.Build();
    }

    // Safe to send twice: GET and HEAD without a body. A client that left cancels the token, which ends retrying. A
    // request with a stale answer standing by is not retried either: the stale answer is better than the wait.
    private static bool IsRetryable(HttpRequestMessage request) =>
        (request.Method == HttpMethod.Get || request.Method == HttpMethod.Head) && request.Content is null;

    // Connection errors, timeouts and 5xx, except an answer that asked for a pause: that one is honoured,
    // not retried. Errors of the proxy's own making (limits, a client's request body) say nothing of the upstream.
    private static bool IsTransientFailure(Outcome<HttpResponseMessage> outcome) =>
        outcome.Exception is { } exception ? IsTransientException(exception) : outcome.Result is { } answer && IsTransientAnswer(answer);

    private static bool IsTransientException(Exception exception) => exception switch
    {
        TimeoutRejectedException => true,
        HttpRequestException { HttpRequestError: var error } => error is HttpRequestError.ConnectionError
            or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError or HttpRequestError.ResponseEnded
            or HttpRequestError.InvalidResponse or HttpRequestError.HttpProtocolError,
        _ => false,
    };

    private static bool IsTransientAnswer(HttpResponseMessage answer) =>
        (int)answer.StatusCode >= 500
        && answer.StatusCode != HttpStatusCode.NotImplemented
        && !(answer.StatusCode == HttpStatusCode.ServiceUnavailable && answer.Headers.RetryAfter is not null);

    // One line per failed attempt, forwarded or a fill; the path only, since the query may carry a key.
    [LoggerMessage(EventId = 2104, EventName = "UpstreamAnswerFailed", Level = LogLevel.Warning,
        Message = "Cluster {ClusterId} ({Destination}) answered {StatusCode} to {Method} {Path}")]
    private static partial void LogAnswerFailed(ILogger logger, string clusterId, string destination, HttpMethod method, string? path, int statusCode);

    [LoggerMessage(EventId = 2105, EventName = "UpstreamAttemptFailed", Level = LogLevel.Warning,
        Message = "Cluster {ClusterId} ({Destination}) failed {Method} {Path}: {Error}")]
    private static partial void LogAttemptFailed(ILogger logger, string clusterId, string destination, HttpMethod method, string? path, string error);

    [LoggerMessage(EventId = 2106, EventName = "UpstreamFailingOver", Level = LogLevel.Warning,
        Message = "Cluster {ClusterId}: {Failed} failed, {Method} {Path} goes to {Next}")]
    private static partial void LogFailingOver(ILogger logger, string clusterId, string failed, string next, HttpMethod method, string? path);

    [LoggerMessage(EventId = 2101, EventName = "UpstreamPaused", Level = LogLevel.Warning,
        Message = "Cluster {ClusterId} answered {StatusCode} and asked for a pause of {Pause}; nothing is sent to it until then")]
    private static partial void LogPaused(ILogger logger, string clusterId, int statusCode, TimeSpan pause);
}

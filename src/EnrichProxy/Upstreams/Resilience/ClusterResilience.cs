using System.Diagnostics;
using System.Net;
using EnrichProxy.Configuration;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace EnrichProxy.Upstreams.Resilience;

/// <summary>
/// Everything one cluster's upstream requests go through, outermost first: a pause the upstream asked
/// for; a total timeout; retries of idempotent requests; then per attempt the pause again, the rate
/// limit (one permit per attempt, since the upstream sees each), the circuit breaker and the attempt
/// timeout. Built on Polly 8 (timeouts, retries) and System.Threading.RateLimiting, with a breaker that
/// counts failures in a row. Refused requests never count for or against the upstream's health.
/// </summary>
internal sealed partial class ClusterResilience : IDisposable
{
    private static readonly ResiliencePropertyKey<HttpRequestMessage> RequestKey = new("EnrichProxy.Request");
    private static readonly TimeSpan ShortestRefusedPause = TimeSpan.FromSeconds(1);

    private readonly UpstreamMetrics _metrics;
    private readonly ClusterRateLimiter? _rateLimiter;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly ResiliencePipeline _attempt;
    private readonly ConsecutiveFailureBreaker _breaker;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private long _refusedUntilTicks;

    public ClusterResilience(string clusterId, UpstreamOptions options, TimeProvider time, UpstreamMetrics metrics, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ClusterId = clusterId;
        _metrics = metrics;
        _metrics.Prime(clusterId);
        _logger = logger;
        _time = time;
        Pause = new ClusterPause(time);
        _rateLimiter = options.RateLimit.IsEnabled ? new ClusterRateLimiter(clusterId, options.RateLimit, time) : null;
        _pipeline = BuildPipeline(options, time);
        _attempt = new ResiliencePipelineBuilder { TimeProvider = time }.AddTimeout(options.Timeouts.Attempt).Build();
        _breaker = new ConsecutiveFailureBreaker(options.CircuitBreaker.FailuresBeforeOpening, options.CircuitBreaker.BreakDuration, time);
        _breaker.Changed += breakDuration =>
        {
            if (breakDuration > TimeSpan.Zero)
            {
                LogCircuitOpened(_logger, ClusterId, breakDuration);
            }
            else
            {
                LogCircuitClosed(_logger, ClusterId);
            }
        };
    }

    public string ClusterId { get; }

    public ClusterPause Pause { get; }

    public CircuitState BreakerState => _breaker.State;

    /// <summary>
    /// How long a refused connection marks the upstream as failing for requests with a stale answer standing by
    /// (<see cref="RefusedRecently"/>): they are answered stale without an attempt until then, and the first one after
    /// it tries again.
    /// </summary>
    public static readonly TimeSpan RefusedWindow = TimeSpan.FromSeconds(2);

    /// <summary>Whether an attempt was refused (no connection) within <see cref="RefusedWindow"/>, with no success since.</summary>
    public bool RefusedRecently => _time.GetUtcNow().UtcTicks < Volatile.Read(ref _refusedUntilTicks);

    /// <summary>Sends <paramref name="request"/> through the pipeline with <paramref name="send"/>.</summary>
    /// <exception cref="UpstreamRefusedException">Not sent: paused, rate-limited or circuit open.</exception>
    /// <exception cref="TimeoutException">An attempt or all of them together took too long.</exception>
    public async Task<HttpResponseMessage> SendAsync(
        HttpRequestMessage request, Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> send, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await WaitOutShortPauseAsync(cancellationToken);
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
                (Self: this, Request: request, Send: send));
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
            await WaitOutShortPauseAsync(cancellationToken);
            if (PauseRefusal() is { } paused)
            {
                throw paused;
            }

            var response = await SendPastTheBreakerAsync(request, send, cancellationToken);
            if (Pause.Observe(response) is { } pause)
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

    // The permit, then the breaker, then the attempt under its timeout. An open circuit refuses before
    // a permit is waited for, and the probe after a break is chosen only once it holds a permit. Only
    // the attempt's own outcome is a verdict on the upstream; a client that left gives none.
    private async Task<HttpResponseMessage> SendPastTheBreakerAsync(
        HttpRequestMessage request, Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> send, CancellationToken cancellationToken)
    {
        if (_rateLimiter is not null)
        {
            ThrowIfCircuitOpen();
            if (await _rateLimiter.WaitForPermitAsync(UpstreamRequestOptions.Background(request), cancellationToken))
            {
                _metrics.WaitedForPermit(ClusterId);
            }
        }

        if (!_breaker.TryEnter(out var untilProbe, out var isProbe))
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
                cancellationToken);
        }
        catch (Exception exception) when (IsTransientException(exception))
        {
            var timedOut = exception is TimeoutRejectedException;
            _metrics.Sent(ClusterId, timedOut ? "timeout" : "error", Stopwatch.GetElapsedTime(started));
            LogAttemptFailed(_logger, ClusterId, request.Method, request.RequestUri?.AbsolutePath, timedOut ? "no answer in time" : ErrorName(exception));
            _breaker.OnFailure(isProbe);
            if (exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError })
            {
                Volatile.Write(ref _refusedUntilTicks, (_time.GetUtcNow() + RefusedWindow).UtcTicks);
            }

            throw;
        }
        catch (OperationCanceledException)
        {
            // Ended by the caller (a client that left, a fill's own deadline): no verdict on the upstream.
            _metrics.Sent(ClusterId, "cancelled", Stopwatch.GetElapsedTime(started));
            _breaker.OnAbandoned(isProbe);
            throw;
        }
        catch (Exception exception)
        {
            _metrics.Sent(ClusterId, "error", Stopwatch.GetElapsedTime(started));
            LogAttemptFailed(_logger, ClusterId, request.Method, request.RequestUri?.AbsolutePath, ErrorName(exception));
            _breaker.OnAbandoned(isProbe);
            throw;
        }

        var statusCode = (int)response.StatusCode;
        _metrics.Sent(ClusterId, UpstreamMetrics.StatusLabel(statusCode), Stopwatch.GetElapsedTime(started));
        if (statusCode >= 500)
        {
            LogAnswerFailed(_logger, ClusterId, request.Method, request.RequestUri?.AbsolutePath, statusCode);
        }

        if (IsTransientAnswer(response))
        {
            _breaker.OnFailure(isProbe);
        }
        else
        {
            _breaker.OnSuccess(isProbe);
            Volatile.Write(ref _refusedUntilTicks, 0);
        }

        return response;
    }

    private static string ErrorName(Exception exception) =>
        exception is HttpRequestException { HttpRequestError: var error } ? error.ToString() : exception.GetType().Name;

    private void ThrowIfCircuitOpen()
    {
        if (_breaker.IsOpen(out var untilProbe))
        {
            throw new UpstreamRefusedException(ClusterId, RefusalReason.CircuitOpen, untilProbe);
        }
    }

    // Rate-limit resets come in whole seconds (MusicBrainz's X-RateLimit-Reset), so many pauses are
    // shorter than a second: a request waits those out rather than being refused.
    private async ValueTask WaitOutShortPauseAsync(CancellationToken cancellationToken)
    {
        if (Pause.Remaining is { } left && left <= ShortestRefusedPause)
        {
            await Task.Delay(left, _time, cancellationToken);
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
        Message = "Cluster {ClusterId} answered {StatusCode} to {Method} {Path}")]
    private static partial void LogAnswerFailed(ILogger logger, string clusterId, HttpMethod method, string? path, int statusCode);

    [LoggerMessage(EventId = 2105, EventName = "UpstreamAttemptFailed", Level = LogLevel.Warning,
        Message = "Cluster {ClusterId} failed {Method} {Path}: {Error}")]
    private static partial void LogAttemptFailed(ILogger logger, string clusterId, HttpMethod method, string? path, string error);

    [LoggerMessage(EventId = 2101, EventName = "UpstreamPaused", Level = LogLevel.Warning,
        Message = "Cluster {ClusterId} answered {StatusCode} and asked for a pause of {Pause}; nothing is sent to it until then")]
    private static partial void LogPaused(ILogger logger, string clusterId, int statusCode, TimeSpan pause);

    [LoggerMessage(EventId = 2102, EventName = "CircuitOpened", Level = LogLevel.Warning,
        Message = "Circuit of cluster {ClusterId} opened for {BreakDuration} after consecutive failures")]
    private static partial void LogCircuitOpened(ILogger logger, string clusterId, TimeSpan breakDuration);

    [LoggerMessage(EventId = 2103, EventName = "CircuitClosed", Level = LogLevel.Information,
        Message = "Circuit of cluster {ClusterId} closed again")]
    private static partial void LogCircuitClosed(ILogger logger, string clusterId);
}

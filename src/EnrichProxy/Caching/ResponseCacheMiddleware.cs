using System.Diagnostics;
using EnrichProxy.Caching.Purging;
using EnrichProxy.Errors;
using EnrichProxy.Telemetry;
using EnrichProxy.Upstreams;
using EnrichProxy.Upstreams.Resilience;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Configuration;

namespace EnrichProxy.Caching;

/// <summary>
/// The step of the YARP pipeline that answers GET and HEAD of routes with a cache policy from the
/// cache, and hands everything else to YARP's forwarder untouched (README "How caching behaves").
/// </summary>
internal sealed partial class ResponseCacheMiddleware(
    RequestDelegate next,
    CachePolicyRegistry policies,
    ResponseCache cache,
    UpstreamRegistry upstreams,
    HotTargets hotTargets,
    SharedRequests sharedRequests,
    Purger purger,
    CacheMetrics metrics,
    TimeProvider time,
    ILogger<ResponseCacheMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var route = context.GetReverseProxyFeature().Route.Config;
        var policy = policies.Resolve(route);
        if (policy is null)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var access = context.Features.Get<UpstreamAccess>() ?? UpstreamAccess.PassThrough;
        if (!access.MayUseCache || !SharedRequests.IsCacheableRead(context.Request))
        {
            await ForwardAsync(context, route.RouteId).ConfigureAwait(false);
            return;
        }

        using var activity = EnrichProxySpans.Source.StartActivity(EnrichProxySpans.CacheLookup);
        activity?.SetTag(EnrichProxySpans.RouteAttribute, route.RouteId);
        activity?.SetTag(EnrichProxySpans.PolicyAttribute, policy.Name);
        activity?.SetTag(EnrichProxySpans.UpstreamAttribute, route.ClusterId);

        var epoch = hotTargets.Epoch;
        var upstream = upstreams.Get(route.ClusterId ?? string.Empty);
        var fill = FillRequest.FromClient(context, route.RouteId, policy, access);
        var key = CacheKeyBuilder.Build(fill, policy, upstream.EffectiveKeyName);
        var cached = await cache.LookupAsync(key, fill, route, policy, context.RequestAborted).ConfigureAwait(false);
        if (cached.HasValue)
        {
            if (cached.Value.IsPassThrough)
            {
                await ForwardAsync(context, route.RouteId).ConfigureAwait(false);
                return;
            }

            var age = cached.Value.AgeAt(time.GetUtcNow());
            if (age <= policy.Ttl)
            {
                RememberHotTarget(context, route, policy, access, upstream.Kind, key, epoch);
                await WriteAsync(context, route.RouteId, cached.Value, CacheResult.Hit, age).ConfigureAwait(false);
                return;
            }

            // Past the TTL but found: within stale-while-revalidate, or throttled by fail-safe after an upstream failure.
            if (policy.IsWithinStaleWhileRevalidate(age))
            {
                cache.RefreshInBackground(key, fill, policy);
            }

            await WriteAsync(context, route.RouteId, cached.Value, CacheResult.Stale, age).ConfigureAwait(false);
            return;
        }

        await FillAsync(context, route, key, fill, policy).ConfigureAwait(false);
    }

    private async Task FillAsync(HttpContext context, RouteConfig route, string key, FillRequest fill, CachePolicy policy)
    {
        var routeId = route.RouteId;
        var (flight, started) = cache.Fill(key, fill, policy);
        Activity.Current?.SetTag(EnrichProxySpans.CoalescedAttribute, !started);
        if (!started)
        {
            metrics.Coalesced(routeId);
        }

        FillOutcome outcome;
        try
        {
            outcome = await flight.WaitAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return; // The client left; the fill goes on for the others and the cache.
        }
        catch (UpstreamFailureException failure)
        {
            // Nothing stale to fall back on: the client gets what the upstream said.
            await WriteAsync(context, routeId, failure.Answer, CacheResult.Miss, TimeSpan.Zero).ConfigureAwait(false);
            return;
        }
        catch (UpstreamRefusedException refused)
        {
            await WriteProblemAsync(context, routeId, StatusCodes.Status503ServiceUnavailable, UpstreamRefusedException.ProblemTitle,
                refused.ProblemDetail, refused.RetryAfter).ConfigureAwait(false);
            return;
        }
        catch (TimeoutException)
        {
            LogFillTimedOut(logger, routeId);
            await WriteProblemAsync(context, routeId, StatusCodes.Status504GatewayTimeout, "Upstream timeout",
                "The upstream did not answer in time and nothing stale is cached.").ConfigureAwait(false);
            return;
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException or UpstreamUnavailableException)
        {
            await WriteProblemAsync(context, routeId, StatusCodes.Status502BadGateway, "Upstream unavailable",
                "The upstream could not be reached and nothing stale is cached.").ConfigureAwait(false);
            return;
        }

        var value = outcome.Value;
        if (value.IsPassThrough)
        {
            if (started && outcome.PrivateAnswer is { } own)
            {
                await WriteAsync(context, routeId, own, CacheResult.Bypass, TimeSpan.Zero).ConfigureAwait(false);
            }
            else
            {
                await ForwardAsync(context, routeId).ConfigureAwait(false);
            }

            return;
        }

        var age = value.AgeAt(time.GetUtcNow());
        if (age > policy.Ttl && purger.IsPurged(fill, route, policy, value.PurgeStamp))
        {
            // The upstream failed and fail-safe fell back on an answer that was purged: as if nothing were cached.
            await cache.RemoveAsync(key).ConfigureAwait(false);
            await WriteProblemAsync(context, routeId, StatusCodes.Status502BadGateway, "Upstream unavailable",
                "The upstream failed and its last answer was purged, so nothing stale can be served.").ConfigureAwait(false);
            return;
        }

        await WriteAsync(context, routeId, value, age > policy.Ttl ? CacheResult.Stale : CacheResult.Miss, age).ConfigureAwait(false);
    }

    // Asked again while fresh: from now on the fast path answers this target. A key asked once costs
    // no memory here, so a cache full of one-off answers does not carry a map entry for each.
    private void RememberHotTarget(HttpContext context, RouteConfig route, CachePolicy policy, UpstreamAccess access, Configuration.UpstreamKind kind, string key, int epoch)
    {
        if (context.Features.Get<IHttpRequestFeature>()?.RawTarget is { } rawTarget
            && !hotTargets.TryGet(rawTarget, out _)
            && sharedRequests.MayRemember(context.Request, rawTarget, route, policy, access, kind))
        {
            hotTargets.Remember(rawTarget, key, policy, metrics.For(route.RouteId), epoch);
        }
    }

    private Task ForwardAsync(HttpContext context, string routeId)
    {
        Answered(routeId, CacheResult.Bypass);
        CacheHeaders.SetBypass(context.Response);
        return next(context);
    }

    private Task WriteAsync(HttpContext context, string routeId, CachedResponse value, CacheResult result, TimeSpan age)
    {
        Answered(routeId, result);
        return CachedResponseWriter.WriteAsync(context, value, result, age);
    }

    private void Answered(string routeId, CacheResult result)
    {
        metrics.Answered(routeId, result);
        Activity.Current?.SetTag(EnrichProxySpans.CacheResultAttribute, CacheMetrics.Label(result));
    }

    private Task WriteProblemAsync(HttpContext context, string routeId, int status, string title, string detail, TimeSpan? retryAfter = null)
    {
        Answered(routeId, CacheResult.Miss);
        CacheHeaders.Set(context.Response, CacheResult.Miss, TimeSpan.Zero);
        return ProblemResponses.WriteAsync(context, status, title, detail, retryAfter);
    }

    [LoggerMessage(EventId = 3101, EventName = "FillTimedOut", Level = LogLevel.Warning,
        Message = "Fill for route {RouteId} timed out with nothing stale to answer")]
    private static partial void LogFillTimedOut(ILogger logger, string routeId);
}

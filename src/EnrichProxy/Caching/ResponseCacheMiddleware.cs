using System.Diagnostics;
using EnrichProxy.Caching.Http;
using EnrichProxy.Caching.Purging;
using EnrichProxy.Telemetry;
using EnrichProxy.Upstreams;
using Microsoft.AspNetCore.Http.Features;

namespace EnrichProxy.Caching;

/// <summary>
/// The step of the YARP pipeline that answers GET and HEAD of routes with a cache policy through
/// <see cref="ReadThroughCache"/>, translating its result to HTTP, and hands everything else to YARP's
/// forwarder untouched (README "How caching behaves").
/// </summary>
internal sealed class ResponseCacheMiddleware(
    RequestDelegate next,
    CachePolicyRegistry policies,
    ReadThroughCache cache,
    UpstreamAccessGate accessGate,
    HotTargets hotTargets,
    SharedRequests sharedRequests,
    UnsafeMethodInvalidator invalidator,
    CacheMetrics metrics)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var route = context.GetReverseProxyFeature().Route.Config;
        var policy = policies.Resolve(route);
        if (policy is null)
        {
            if (UnsafeMethodInvalidator.IsUnsafe(context.Request.Method))
            {
                // A write through an uncached route may change cached reads of the same upstream (an Arr's command, a file deleted).
                invalidator.InvalidateWhenAnswered(context, route);
            }

            await next(context);
            return;
        }

        if (!SharedRequests.IsCacheableRead(context.Request))
        {
            var method = context.Request.Method;
            var because = HttpMethods.IsGet(method) || HttpMethods.IsHead(method) ? ForwardedBecause.Request : ForwardedBecause.Method;
            if (UnsafeMethodInvalidator.IsUnsafe(method))
            {
                invalidator.InvalidateWhenAnswered(context, route);
            }

            await ForwardAsync(context, route.RouteId, CacheStatus.Forwarded(because));
            return;
        }

        var access = accessGate.Decide(context, route);
        if (access is null)
        {
            Answered(route.RouteId, CacheResult.Bypass);
            CacheHeaders.SetBypass(context.Response, CacheStatus.Forwarded(ForwardedBecause.Bypass, detail: "credentials"));
            await UpstreamAccessGate.RefuseAsync(context);
            return;
        }

        using var activity = EnrichProxySpans.Source.StartActivity(EnrichProxySpans.CacheLookup);
        activity?.SetTag(EnrichProxySpans.RouteAttribute, route.RouteId);
        activity?.SetTag(EnrichProxySpans.PolicyAttribute, policy.Name);
        activity?.SetTag(EnrichProxySpans.UpstreamAttribute, route.ClusterId);

        var epoch = hotTargets.Epoch;
        var read = cache.Prepare(route, policy, UpstreamRequest.FromClient(context, route.RouteId, policy.ForwardedHeaders, access, allHeaders: policy.ForwardsEveryHeader));
        ReadResult result;
        try
        {
            result = await cache.ReadAsync(read, context.RequestAborted);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return; // The client left; a fill goes on for the others and the cache.
        }

        if (result.Coalesced)
        {
            metrics.Coalesced(route.RouteId);
            Activity.Current?.SetTag(EnrichProxySpans.CoalescedAttribute, true);
        }

        var cacheStatus = CacheStatus.Of(result, policy);
        switch (result)
        {
            case ReadResult.Hit hit:
                RememberHotTarget(context, read, epoch);
                await WriteAsync(context, route.RouteId, hit.Entry, CacheResult.Hit, hit.Age, cacheStatus);
                break;
            case ReadResult.Stale stale:
                await WriteAsync(context, route.RouteId, stale.Entry, CacheResult.Stale, stale.Age, cacheStatus);
                break;
            case ReadResult.Filled filled:
                await WriteAsync(context, route.RouteId, filled.Entry, CacheResult.Miss, filled.Age, cacheStatus);
                break;
            case ReadResult.Private own:
                await WriteAsync(context, route.RouteId, own.Answer, CacheResult.Bypass, TimeSpan.Zero, cacheStatus);
                break;
            case ReadResult.Failed { Problem.Answer: { } answer }:
                // Nothing stale to fall back on: the client gets what the upstream said.
                await WriteAsync(context, route.RouteId, CachedResponse.From(answer), CacheResult.Miss, TimeSpan.Zero, cacheStatus);
                break;
            case ReadResult.Failed failed:
                Answered(route.RouteId, CacheResult.Miss);
                CacheHeaders.Set(context.Response, CacheResult.Miss, TimeSpan.Zero);
                CacheStatus.Set(context.Response.Headers, cacheStatus);
                await failed.Problem.WriteProblemAsync(context);
                break;
            default:
                await ForwardAsync(context, route.RouteId, cacheStatus);
                break;
        }
    }

    // Asked again while fresh: from now on the fast path answers this target. A key asked once costs
    // no memory here, so a cache full of one-off answers does not carry a map entry for each.
    private void RememberHotTarget(HttpContext context, CacheRead read, int epoch)
    {
        if (context.Features.Get<IHttpRequestFeature>()?.RawTarget is { } rawTarget
            && !hotTargets.TryGet(rawTarget, out _)
            && sharedRequests.MayRemember(context.Request, rawTarget, read.Route, read.Policy, read.Request.Access))
        {
            hotTargets.Remember(rawTarget, read.Key, read.Policy, metrics.For(read.RouteId), epoch);
        }
    }

    private Task ForwardAsync(HttpContext context, string routeId, string cacheStatus)
    {
        Answered(routeId, CacheResult.Bypass);
        CacheHeaders.SetBypass(context.Response, cacheStatus);
        return next(context);
    }

    private Task WriteAsync(HttpContext context, string routeId, CachedResponse value, CacheResult result, TimeSpan age, string cacheStatus)
    {
        Answered(routeId, result);
        return CachedResponseWriter.WriteAsync(context, value, result, age, cacheStatus);
    }

    private void Answered(string routeId, CacheResult result)
    {
        metrics.Answered(routeId, result);
        Activity.Current?.SetTag(EnrichProxySpans.CacheResultAttribute, CacheMetrics.Label(result));
    }
}

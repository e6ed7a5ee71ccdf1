using System.Diagnostics;
using EnrichProxy.Caching.Http;
using EnrichProxy.Telemetry;
using Microsoft.AspNetCore.Http.Features;

namespace EnrichProxy.Caching;

/// <summary>
/// Answers fresh hits of remembered targets (<see cref="HotTargets"/>) before routing: a map lookup, the
/// answer the target holds (or, every few seconds, a memory-cache lookup) and the write. Anything else (a miss,
/// a stale entry, a request carrying credentials) goes on to the full pipeline, which answers it and teaches
/// this one.
/// </summary>
internal sealed class CacheHitFastPath(RequestDelegate next, HotTargets targets, SharedRequests sharedRequests, ReadThroughCache cache, TimeProvider time)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (!sharedRequests.Qualifies(context.Request)
            || context.Features.Get<IHttpRequestFeature>()?.RawTarget is not { } rawTarget
            || !targets.TryGet(rawTarget, out var target)
            || !TryGetFresh(target, out var entry, out var age))
        {
            return next(context); // Stale entries too: the full pipeline decides about refreshing.
        }

        target.Counters.Answered(CacheResult.Hit);
        if (Activity.Current is { } activity)
        {
            // Tracing on: the server span says what the fast path did.
            activity.SetTag(EnrichProxySpans.RouteAttribute, target.Counters.RouteId);
            activity.SetTag(EnrichProxySpans.CacheResultAttribute, "hit");
        }

        return CachedResponseWriter.WriteAsync(context, entry, CacheResult.Hit, age, CacheStatus.Hit(CacheStatus.Ttl(Freshness.Lifetime(entry, target.Policy), age)));
    }

    // The held answer while it is current; otherwise memory (L1) only, by the same freshness rule as every read.
    private bool TryGetFresh(HotTarget target, out CachedResponse entry, out TimeSpan age)
    {
        var now = time.GetUtcNow();
        if (target.TryGetHeld(now, out var releases) is { } held)
        {
            entry = held;
            return Freshness.Of(held, target.Policy, now, out age) == EntryState.Fresh;
        }

        if (!cache.TryGetFreshFromMemory(target.Key, target.Policy, out entry, out age))
        {
            return false;
        }

        target.Hold(releases, entry, now);
        return true;
    }
}

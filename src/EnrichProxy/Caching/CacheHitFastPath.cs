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
            || !targets.TryGet(rawTarget, out var target))
        {
            return next(context);
        }

        var now = time.GetUtcNow();
        if (target.TryGetHeld(now, out var held, out var releases))
        {
            if (!held.IsFreshAt(now))
            {
                return next(context); // Stale entries too: the full pipeline decides about refreshing.
            }

            Answered(target);
            var age = held.AgeAt(now);
            var cacheStatus = CacheStatus.Hit(CacheStatus.Ttl(held.Lifetime, age));
            // A plain request is written from what the target copied of the entry; conditions and ranges read the entry.
            return RequestConditions.Any(context.Request.Headers)
                ? CachedResponseWriter.WriteAsync(context, held.Entry, CacheResult.Hit, age, cacheStatus)
                : CachedResponseWriter.WriteWholeAsync(context, held.StatusCode, held.Headers, held.Body, CacheResult.Hit, age, cacheStatus);
        }

        // Nothing held, or due for a look: memory (L1) only, by the same freshness rule as every read.
        if (!cache.TryGetFreshFromMemory(target.Key, target.Policy, out var entry, out var entryAge))
        {
            return next(context);
        }

        target.Hold(releases, entry, now);
        Answered(target);
        return CachedResponseWriter.WriteAsync(context, entry, CacheResult.Hit, entryAge, CacheStatus.Hit(CacheStatus.Ttl(Freshness.Lifetime(entry, target.Policy), entryAge)));
    }

    private static void Answered(HotTarget target)
    {
        target.Counters.Answered(CacheResult.Hit);
        if (Activity.Current is { } activity)
        {
            // Tracing on: the server span says what the fast path did.
            activity.SetTag(EnrichProxySpans.RouteAttribute, target.Counters.RouteId);
            activity.SetTag(EnrichProxySpans.CacheResultAttribute, "hit");
        }
    }
}

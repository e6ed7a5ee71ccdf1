using System.Collections.Concurrent;
using System.Diagnostics;
using EnrichProxy.Background;
using EnrichProxy.Caching.Purging;
using EnrichProxy.Prefetching;
using EnrichProxy.Telemetry;
using EnrichProxy.Upstreams;
using EnrichProxy.Upstreams.Resilience;
using Yarp.ReverseProxy.Configuration;
using ZiggyCreatures.Caching.Fusion;

namespace EnrichProxy.Caching;

/// <summary>
/// The cache of upstream answers: FusionCache (L1 memory, L2 Redis or disk, fail-safe, soft and hard
/// timeouts) behind single-flight fills, with refreshes and prefetches queued for the background.
/// </summary>
internal sealed partial class ResponseCache(
    IFusionCache cache, UpstreamFetcher fetcher, Purger purger, BackgroundQueue queue, Prefetcher prefetcher, TimeProvider time, ILogger<ResponseCache> logger)
{
    // Per-entry bookkeeping the memory cache adds to every answer, counted against its size limit.
    private const int EntryOverheadBytes = 512;

    // Removes from this instance's memory only (see RemoveFromMemoryAsync).
    private static readonly FusionCacheEntryOptions ThisMemoryOnly = new()
    {
        SkipDistributedCacheRead = true,
        SkipDistributedCacheWrite = true,
        SkipBackplaneNotifications = true,
    };

    // Past this many keys in back-off, expired back-offs are swept so the map cannot grow without bound.
    private const int BackoffSweepThreshold = 10_000;

    private readonly SingleFlight<FillOutcome> _fills = new();

    // The fills background jobs started and no client has joined yet, by key.
    private readonly ConcurrentDictionary<string, BackgroundPriority> _backgroundFills = new(StringComparer.Ordinal);

    // Keys whose last background refresh failed, and until when they are left alone: a failing
    // upstream gets one attempt per fail-safe throttle period, not one per stale answer.
    private readonly ConcurrentDictionary<string, DateTimeOffset> _refreshBackoff = new(StringComparer.Ordinal);

    /// <summary>Looks the key up in L1, then L2. Finds nothing past the fresh and stale-while-revalidate windows.</summary>
    public ValueTask<MaybeValue<CachedResponse>> TryGetAsync(string key, CachePolicy policy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return cache.TryGetAsync<CachedResponse>(key, policy.EntryOptions, cancellationToken);
    }

    /// <summary>
    /// Looks the key up like <see cref="TryGetAsync"/>, treating an entry a purge covers as missing. The copy
    /// in memory may be older than L2's (another instance may have refilled the key since), so memory is
    /// dropped first and L2 asked once more.
    /// </summary>
    public async ValueTask<MaybeValue<CachedResponse>> LookupAsync(string key, FillRequest fill, RouteConfig route, CachePolicy policy, CancellationToken cancellationToken)
    {
        var cached = await TryGetAsync(key, policy, cancellationToken).ConfigureAwait(false);
        if (!cached.HasValue || !purger.IsPurged(fill, route, policy, cached.Value.PurgeStamp))
        {
            return cached;
        }

        await RemoveFromMemoryAsync(key).ConfigureAwait(false);
        cached = await TryGetAsync(key, policy, cancellationToken).ConfigureAwait(false);
        if (!cached.HasValue || !purger.IsPurged(fill, route, policy, cached.Value.PurgeStamp))
        {
            return cached;
        }

        await RemoveAsync(key).ConfigureAwait(false);
        return default;
    }

    /// <summary>The entry if it is in memory (L1), without going to L2.</summary>
    public CachedResponse? TryGetFromMemory(string key, CachePolicy policy)
    {
        var found = cache.TryGet<CachedResponse>(key, policy.MemoryOnlyEntryOptions);
        return found.HasValue ? found.Value : null;
    }

    /// <summary>Removes an entry from both levels, and from other instances' memory through the backplane.</summary>
    public ValueTask RemoveAsync(string key) => cache.RemoveAsync(key);

    /// <summary>Removes an entry from this instance's memory only: L2 may already hold a newer answer.</summary>
    public ValueTask RemoveFromMemoryAsync(string key) => cache.RemoveAsync(key, ThisMemoryOnly);

    /// <summary>
    /// Fills a missing or expired entry: one upstream request per key however many clients ask, stale
    /// answers when it fails (fail-safe) or is slow (soft timeout).
    /// </summary>
    /// <returns>The shared outcome, and whether this call started the fill.</returns>
    public (Task<FillOutcome> Outcome, bool Started) Fill(string key, FillRequest request, CachePolicy policy)
    {
        // A fill a background job starts takes its permit after clients, until a client joins it.
        // (TryAdd: the entry of a background fill already running for the key must stay for clients to find.)
        var background = BackgroundWork.Current is null ? null : new BackgroundPriority();
        if (background is not null && !_backgroundFills.TryAdd(key, background))
        {
            background = new BackgroundPriority();
        }

        var (outcome, started) = _fills.Run(key, (Cache: this, Key: key, Request: request, Policy: policy, Background: background),
            static s => s.Cache.FillCoreAsync(s.Key, s.Request, s.Policy, s.Background));
        if (!started && background is not null)
        {
            _backgroundFills.TryRemove(new KeyValuePair<string, BackgroundPriority>(key, background));
        }
        else if (!started && _backgroundFills.TryGetValue(key, out var joined))
        {
            joined.RaiseToClient();
        }

        return (outcome, started);
    }

    /// <summary>
    /// Queues the refresh of an entry in its stale-while-revalidate window: once however many clients see
    /// it stale, and after a failure not again until the policy's fail-safe throttle period has passed.
    /// </summary>
    public void RefreshInBackground(string key, FillRequest request, CachePolicy policy)
    {
        if (_refreshBackoff.TryGetValue(key, out var until) && time.GetUtcNow() < until)
        {
            return;
        }

        // A refresh a prefetch led to is as deep as that prefetch: it must not restart the prefetch chain.
        // A refresh a job led to stays in that job's lane: a warm-up must not flood the refresh lane.
        var lane = BackgroundWork.Current?.Lane ?? QueueLane.Refresh;
        queue.TryEnqueue(new BackgroundJob(JobKinds.Refresh, "refresh|" + key, lane, BackgroundWork.Current?.Depth ?? 0,
            cancellationToken => RefreshCoreAsync(key, request, policy, cancellationToken)));
    }

    private async Task<FillOutcome> FillCoreAsync(string key, FillRequest request, CachePolicy policy, BackgroundPriority? background)
    {
        try
        {
            return await FillAsync(key, request, policy, background).ConfigureAwait(false);
        }
        finally
        {
            if (background is not null)
            {
                _backgroundFills.TryRemove(new KeyValuePair<string, BackgroundPriority>(key, background));
            }
        }
    }

    private async Task<FillOutcome> FillAsync(string key, FillRequest request, CachePolicy policy, BackgroundPriority? background)
    {
        using var activity = StartSpan(EnrichProxySpans.CacheFill, request, policy);
        CachedResponse? privateAnswer = null;
        var value = await cache.GetOrSetAsync<CachedResponse>(
            key,
            async (context, _) =>
            {
                // Not the caller's token: the fill serves every waiter and, past a soft timeout, the cache.
                var answer = await fetcher.FetchAsync(request, policy.MaxCacheableBytes, background, CancellationToken.None).ConfigureAwait(false);
                var storability = StorabilityRules.Classify(answer, policy);
                switch (storability)
                {
                    case Storability.UpstreamFailure:
                        throw new UpstreamFailureException(ToCached(answer));
                    case Storability.TooLarge:
                        var passThrough = CachedResponse.PassThrough(answer.ReceivedAt);
                        context.Options.Size = EstimateSize(passThrough);
                        return passThrough;
                    case Storability.Private:
                        privateAnswer = ToCached(answer);
                        DoNotStore(context.Options);
                        return CachedResponse.NotShared;
                    case Storability.SharedNotStored:
                        DoNotStore(context.Options);
                        return ToCached(answer);
                    default:
                        var cached = ToCached(answer);
                        Adapt(context.Options, cached, storability, policy);
                        Prefetch(request, policy, cached, storability);
                        return cached;
                }
            },
            options: policy.EntryOptions,
            token: CancellationToken.None).ConfigureAwait(false);

        return new FillOutcome(value, privateAnswer);
    }

    private async Task<string> RefreshCoreAsync(string key, FillRequest request, CachePolicy policy, CancellationToken cancellationToken)
    {
        Activity.Current?.SetTag(EnrichProxySpans.RouteAttribute, request.RouteId);
        Activity.Current?.SetTag(EnrichProxySpans.PolicyAttribute, policy.Name);
        try
        {
            using var hardTimeout = new CancellationTokenSource(policy.HardTimeout, time);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, hardTimeout.Token);
            var answer = await fetcher.FetchAsync(request, policy.MaxCacheableBytes, new BackgroundPriority(), timeout.Token).ConfigureAwait(false);
            var storability = StorabilityRules.Classify(answer, policy);
            if (storability is Storability.Fresh or Storability.Negative)
            {
                var cached = ToCached(answer);
                var options = policy.EntryOptions.Duplicate();
                Adapt(options, cached, storability, policy);
                await cache.SetAsync(key, cached, options, CancellationToken.None).ConfigureAwait(false);
                _refreshBackoff.TryRemove(key, out _);
                Prefetch(request, policy, cached, storability);
                return JobKinds.Stored;
            }

            LogRefreshNotStored(logger, request.RouteId, answer.StatusCode);
            BackOff(key, policy);
            return JobKinds.NotStored;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw; // Shutting down: the queue counts it cancelled.
        }
#pragma warning disable CA1031 // A failed background refresh must never take anything down; stale answers go on.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            LogRefreshFailed(logger, request.RouteId, exception.GetType().Name);
            BackOff(key, policy);
            return JobKinds.Failed;
        }
    }

    private void Prefetch(FillRequest request, CachePolicy policy, CachedResponse answer, Storability storability)
    {
        if (storability == Storability.Fresh)
        {
            prefetcher.Schedule(request, policy, answer);
        }
    }

    private static Activity? StartSpan(string name, FillRequest request, CachePolicy policy)
    {
        var activity = EnrichProxySpans.Source.StartActivity(name);
        activity?.SetTag(EnrichProxySpans.RouteAttribute, request.RouteId);
        activity?.SetTag(EnrichProxySpans.PolicyAttribute, policy.Name);
        return activity;
    }

    private void BackOff(string key, CachePolicy policy)
    {
        var now = time.GetUtcNow();
        if (_refreshBackoff.Count >= BackoffSweepThreshold)
        {
            foreach (var (staleKey, until) in _refreshBackoff)
            {
                if (until <= now)
                {
                    _refreshBackoff.TryRemove(staleKey, out _);
                }
            }
        }

        _refreshBackoff[key] = now + policy.EntryOptions.FailSafeThrottleDuration;
    }

    private static CachedResponse ToCached(UpstreamAnswer answer) => new()
    {
        StatusCode = answer.StatusCode,
        Headers = answer.Headers,
        Body = answer.Body ?? [],
        StoredAt = answer.ReceivedAt,
        RequestedAt = answer.SentAt,
    };

    private static void Adapt(FusionCacheEntryOptions options, CachedResponse cached, Storability storability, CachePolicy policy)
    {
        options.Size = EstimateSize(cached);
        if (storability == Storability.Negative)
        {
            options.Duration = policy.NegativeTtl;
            if (options.FailSafeMaxDuration < policy.NegativeTtl)
            {
                options.FailSafeMaxDuration = policy.NegativeTtl;
            }
        }
    }

    private static void DoNotStore(FusionCacheEntryOptions options)
    {
        options.SkipMemoryCacheWrite = true;
        options.SkipDistributedCacheWrite = true;
        options.SkipBackplaneNotifications = true;
    }

    internal static long EstimateSize(CachedResponse cached)
    {
        long size = EntryOverheadBytes + cached.Body.Length;
        foreach (var header in cached.Headers)
        {
            size += 2L * (header.Name.Length + header.Value.Length);
        }

        return size;
    }

    [LoggerMessage(EventId = 3001, EventName = "RefreshNotStored", Level = LogLevel.Information,
        Message = "Background refresh for route {RouteId} got status {StatusCode}, which is not stored; stale answers go on")]
    private static partial void LogRefreshNotStored(ILogger logger, string routeId, int statusCode);

    [LoggerMessage(EventId = 3002, EventName = "RefreshFailed", Level = LogLevel.Warning,
        Message = "Background refresh for route {RouteId} failed ({Error}); stale answers go on")]
    private static partial void LogRefreshFailed(ILogger logger, string routeId, string error);
}

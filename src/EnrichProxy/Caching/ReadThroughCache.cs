using System.Collections.Concurrent;
using EnrichProxy.Background;
using EnrichProxy.Caching.Purging;
using EnrichProxy.Configuration;
using EnrichProxy.Upstreams;
using EnrichProxy.Upstreams.Resilience;
using Yarp.ReverseProxy.Configuration;
using ZiggyCreatures.Caching.Fusion;

namespace EnrichProxy.Caching;

/// <summary>
/// The one read decision of the cache, behind every cached read (a client's request, an enrichment tier,
/// a prefetch): look the key up (L1, then L2), leaving out what a purge covers; answer fresh, or stale
/// and refresh once in the background; otherwise fill, one upstream request per key however many
/// reads wait, falling back on a stale entry only if no purge covers it. Its callers only translate the
/// <see cref="ReadResult"/>.
/// </summary>
internal sealed class ReadThroughCache(
    IFusionCache cache, CacheFill fill, Purger purger, BackgroundQueue queue, UpstreamRegistry upstreams, IUpstreamFetcher fetcher, TimeProvider time)
{
    // Removes from this instance's memory only (see LookupAsync).
    private static readonly FusionCacheEntryOptions ThisMemoryOnly = new()
    {
        SkipDistributedCacheRead = true,
        SkipDistributedCacheWrite = true,
        SkipBackplaneNotifications = true,
    };

    // Past this many keys in back-off, expired back-offs are swept so the map cannot grow without bound.
    private const int BackoffSweepThreshold = 10_000;

    private readonly SingleFlight<FillOutcome> _fills = new();

    // Lookups of a key missing from memory, shared by the reads that miss it at the same time (see LookupAsync).
    private readonly SingleFlight<MaybeValue<CachedResponse>> _lookups = ForgottenOnChange(cache);

    // The fills background jobs started and no client has joined yet, by key.
    private readonly ConcurrentDictionary<string, BackgroundPriority> _backgroundFills = new(StringComparer.Ordinal);

    // Keys whose last background refresh failed, and until when they are left alone: a failing
    // upstream gets one attempt per fail-safe throttle period, not one per stale answer.
    private readonly ConcurrentDictionary<string, DateTimeOffset> _refreshBackoff = new(StringComparer.Ordinal);

    /// <summary>The read of <paramref name="request"/> through <paramref name="route"/>, with its cache key.</summary>
    public CacheRead Prepare(RouteConfig route, CachePolicy policy, UpstreamRequest request)
    {
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(request);
        var upstream = upstreams.Get(route.ClusterId ?? string.Empty);
        var query = CacheKeyBuilder.WithoutIgnoredParameters(request.Query, policy);
        var sent = ReferenceEquals(query, request.Query) ? request : request with { Query = query };
        return new CacheRead(route, policy, sent, CacheKeyBuilder.Build(sent, policy, upstream.EffectiveKeyName, caseInsensitivePath: upstream.Kind == UpstreamKind.Arr));
    }

    /// <summary>Reads <paramref name="read"/> through the cache. Cancelling stops this read's wait, never the fill other reads share.</summary>
    public async ValueTask<ReadResult> ReadAsync(CacheRead read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(read);
        if (!read.Request.Access.MayUseCache)
        {
            return new ReadResult.Forward(ForwardReason.NotCacheable);
        }

        var inMemory = InMemory(read, cancellationToken);
        if (!inMemory.HasValue && _fills.TryJoin(read.Key, out var running) && !fetcher.IsKnownFailing(read.RouteId))
        {
            // Nothing in memory and this instance's fill of the key on its way (it reads L2 itself, behind the locks): joined
            // at once, as a read whose lookup found nothing would. The lookup's round trip to Redis, in a herd queued behind
            // the herd's own requests, would only delay the answer. (With the upstream failing, the read goes on to its
            // stale copy below instead.)
            if (BackgroundWork.Current is null)
            {
                RaiseToClient(read.Key);
            }

            return await AnswerFillAsync(read, running, started: false, cancellationToken);
        }

        if (await LookupAsync(read, inMemory, cancellationToken) is { } found)
        {
            if (found is { VariesBy: { } variesBy } && !read.IsVariant)
            {
                return await ReadAsync(read.ForVariant(variesBy), cancellationToken); // Answers vary: this request's variant.
            }

            if (Found(read, found) is { } answered)
            {
                return answered;
            }

            // An expired "not found" (or an origin's answer past its windows while the cache still holds it): dropped, so that
            // the fill below asks the upstream instead of finding it; unless another read's fill has stored a newer answer meanwhile.
            var current = cache.TryGet<CachedResponse>(read.Key, read.Policy.MemoryOnlyEntryOptions, cancellationToken);
            if (!current.HasValue || current.Value.StoredAt == found.StoredAt)
            {
                await cache.RemoveAsync(read.Key, token: CancellationToken.None);
            }
        }

        var staleUsable = true;
        if (read.Policy.FollowsOrigin)
        {
            var kept = await KeptAsync(read, cancellationToken);
            if (kept is { VariesBy: { } expiredVariesBy } && !read.IsVariant)
            {
                // Answers of this key varied: the expired marker still says by what, so that the fill is of this request's
                // variant, whose expired entry gives the conditional request its validators.
                return await ReadAsync(read.ForVariant(expiredVariesBy), cancellationToken);
            }

            // An expired entry kept only for its validators (past what its origin allows stale) must not make the fill give up
            // at the soft timeout, or try only once, for an answer it cannot give.
            staleUsable = kept is not null && !kept.IsVariants && !kept.IsTooLarge && !IsExpired(read, kept);
        }

        // The upstream is known to be failing (it asked for a pause, or every destination's circuit is open or refused
        // a connection moments ago): a fill would be refused or fail at once, so a stale copy within stale-if-error is
        // answered now, as fast as a hit.
        if (fetcher.IsKnownFailing(read.RouteId) && await LookupStaleAsync(read, cancellationToken) is { } stale)
        {
            return new ReadResult.Stale(stale, stale.AgeAt(time.GetUtcNow()), StaleReason.UpstreamFailing);
        }

        return await FillAsync(read, staleUsable, cancellationToken);
    }

    // The copy fail-safe keeps past the TTL (within stale-if-error), unless a purge covers it or it is not an answer.
    private async ValueTask<CachedResponse?> LookupStaleAsync(CacheRead read, CancellationToken cancellationToken)
    {
        var kept = await cache.TryGetAsync<CachedResponse>(read.Key, read.Policy.StaleEntryOptions, cancellationToken);
        if (kept.HasValue && kept.Value is { VariesBy: { } variesBy } && !read.IsVariant)
        {
            return await LookupStaleAsync(read.ForVariant(variesBy), cancellationToken);
        }

        return kept.HasValue && !kept.Value.IsTooLarge && !kept.Value.IsVariants && !IsExpired(read, kept.Value) && !IsPurged(read, kept.Value)
            ? kept.Value
            : null;
    }

    // The expired entry fail-safe keeps for the key, unless a purge covers it.
    private async ValueTask<CachedResponse?> KeptAsync(CacheRead read, CancellationToken cancellationToken)
    {
        var kept = await cache.TryGetAsync<CachedResponse>(read.Key, read.Policy.StaleEntryOptions, cancellationToken);
        return kept.HasValue && !IsPurged(read, kept.Value) ? kept.Value : null;
    }

    /// <summary>
    /// What the cache holds for <paramref name="read"/>, without filling: a hit; stale and refreshing in the background
    /// (<see cref="StaleReason.Revalidating"/>); stale past that window (<see cref="StaleReason.UpstreamFailing"/>: the
    /// caller should fetch, and may answer it if that fails); forward for a too-large answer; or null for nothing. For
    /// batches, which fetch their misses together and store them with <see cref="StoreAsync"/>.
    /// </summary>
    public async ValueTask<ReadResult?> PeekAsync(CacheRead read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(read);
        return await LookupAsync(read, InMemory(read, cancellationToken), cancellationToken) is { } found ? Found(read, found) : null;
    }

    /// <summary>Stores an answer the caller fetched for <paramref name="read"/>, by the fill's storability rules (<see cref="CacheFill.StoreAsync"/>).</summary>
    public Task<CachedResponse?> StoreAsync(CacheRead read, UpstreamAnswer answer) => fill.StoreAsync(read, answer);

    /// <summary>The fast path's lookup: a fresh entry in this instance's memory, without L2 or purge checks (the fast path forgets its targets on every purge).</summary>
    public bool TryGetFreshFromMemory(string key, CachePolicy policy, out CachedResponse entry, out TimeSpan age)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var found = cache.TryGet<CachedResponse>(key, policy.MemoryOnlyEntryOptions);
        entry = found.HasValue ? found.Value : null!;
        age = default;
        return found.HasValue && !entry.IsTooLarge && !entry.IsVariants && Freshness.Of(entry, policy, time.GetUtcNow(), out age) == EntryState.Fresh;
    }

    // Null for an entry that counts as nothing cached (an expired "not found"; a variants marker where an answer should be): the caller fills.
    private ReadResult? Found(CacheRead read, CachedResponse entry)
    {
        if (entry.IsTooLarge)
        {
            return new ReadResult.Forward(ForwardReason.TooLarge);
        }

        if (entry.IsVariants)
        {
            return null;
        }

        switch (Freshness.Of(entry, read.Policy, time.GetUtcNow(), out var age))
        {
            case EntryState.Fresh:
                return new ReadResult.Hit(entry, age);
            case EntryState.Revalidate:
                RefreshInBackground(read);
                return new ReadResult.Stale(entry, age, StaleReason.Revalidating);
            case EntryState.Expired:
                return null;
            default:
                return new ReadResult.Stale(entry, age, StaleReason.UpstreamFailing);
        }
    }

    private bool IsExpired(CacheRead read, CachedResponse entry) => Freshness.Of(entry, read.Policy, time.GetUtcNow(), out _) == EntryState.Expired;

    private MaybeValue<CachedResponse> InMemory(CacheRead read, CancellationToken cancellationToken) =>
        cache.TryGet<CachedResponse>(read.Key, read.Policy.MemoryOnlyEntryOptions, cancellationToken);

    // A change of a key (stored, removed, changed by another instance: FusionCache raises these before the call that made
    // them returns) forgets the lookup of it in progress, so that a read after the change, a write's invalidation say, is not
    // answered what was read before it.
    private static SingleFlight<MaybeValue<CachedResponse>> ForgottenOnChange(IFusionCache cache)
    {
        var lookups = new SingleFlight<MaybeValue<CachedResponse>>();
        cache.Events.Memory.Set += (_, e) => lookups.Forget(e.Key);
        cache.Events.Memory.Remove += (_, e) => lookups.Forget(e.Key);
        cache.Events.Backplane.MessageReceived += (_, e) =>
        {
            if (e.Message.CacheKey is { } key)
            {
                lookups.Forget(key);
            }
        };
        return lookups;
    }

    // The entry (found in memory by the caller, else in L2), unless a purge covers it. The copy in memory may be older than
    // L2's (another instance may have refilled the key since), so memory is dropped first and L2 asked once more. Reads that
    // miss memory at the same time share one L2 lookup: a herd's requests make one round trip to Redis, not one each.
    private async ValueTask<CachedResponse?> LookupAsync(CacheRead read, MaybeValue<CachedResponse> inMemory, CancellationToken cancellationToken)
    {
        var cached = inMemory.HasValue ? inMemory : await _lookups.Run(read.Key, (Cache: cache, Read: read), static state =>
            state.Cache.TryGetAsync<CachedResponse>(state.Read.Key, state.Read.Policy.EntryOptions, CancellationToken.None).AsTask()).Task.WaitAsync(cancellationToken);
        if (!cached.HasValue || !IsPurged(read, cached.Value))
        {
            return cached.HasValue ? cached.Value : null;
        }

        await cache.RemoveAsync(read.Key, ThisMemoryOnly, CancellationToken.None);
        cached = await cache.TryGetAsync<CachedResponse>(read.Key, read.Policy.EntryOptions, cancellationToken);
        if (!cached.HasValue || !IsPurged(read, cached.Value))
        {
            return cached.HasValue ? cached.Value : null;
        }

        await cache.RemoveAsync(read.Key, token: CancellationToken.None);
        return null;
    }

    private async ValueTask<ReadResult> FillAsync(CacheRead read, bool staleUsable, CancellationToken cancellationToken)
    {
        var (flight, started) = StartOrJoin(read, staleUsable);
        return await AnswerFillAsync(read, flight, started, cancellationToken);
    }

    private async ValueTask<ReadResult> AnswerFillAsync(CacheRead read, Task<FillOutcome> flight, bool started, CancellationToken cancellationToken)
    {
        var outcome = await flight.WaitAsync(cancellationToken);
        if (!read.IsVariant && outcome is FillOutcome.Answer { Entry.VariesBy: { } markerVariesBy })
        {
            return await ReadAsync(read.ForVariant(markerVariesBy), cancellationToken); // Another fill found the answers vary.
        }

        if (!started && outcome is FillOutcome.Answer { VariesBy: { } variesBy, VariantKey: { } variantKey } && read.ForVariant(variesBy) is { } own
            && own.Key != variantKey)
        {
            return await ReadAsync(own, cancellationToken); // The fill this read joined fetched another client's variant.
        }

        ReadResult result = outcome switch
        {
            FillOutcome.Answer { Source: FillSource.Fetched } answer => new ReadResult.Filled(answer.Entry, answer.Entry.AgeAt(time.GetUtcNow()), answer.Fetch),
            FillOutcome.Answer { Source: FillSource.Stored } answer when Freshness.Of(answer.Entry, read.Policy, time.GetUtcNow(), out var age) == EntryState.Fresh =>
                new ReadResult.Filled(answer.Entry, age),
            FillOutcome.Answer answer => await StaleFallbackAsync(read, answer.Entry, answer.Source),
            FillOutcome.NotShared notShared when started => new ReadResult.Private(notShared.PrivateAnswer),
            FillOutcome.NotShared => new ReadResult.Forward(ForwardReason.NotShared),
            FillOutcome.TooLarge => new ReadResult.Forward(ForwardReason.TooLarge),
            FillOutcome.Failed failed => new ReadResult.Failed(failed.Problem),
            _ => throw new InvalidOperationException($"Unknown fill outcome {outcome}."),
        };
        return result with { Coalesced = !started };
    }

    // Fail-safe's stale entry answers, unless a purge covers it: then it is as if nothing were cached.
    private async ValueTask<ReadResult> StaleFallbackAsync(CacheRead read, CachedResponse entry, FillSource source)
    {
        if (IsPurged(read, entry))
        {
            await cache.RemoveAsync(read.Key, token: CancellationToken.None);
            return new ReadResult.Failed(UpstreamProblem.Unreachable("The upstream failed and its last answer was purged, so nothing stale can be served."));
        }

        if (IsExpired(read, entry))
        {
            return new ReadResult.Failed(entry.Origin is not null
                ? UpstreamProblem.StaleForbidden("The upstream failed, and its origin does not allow its last answer to be served stale (now).")
                : UpstreamProblem.Unreachable("The upstream failed, and its last answer, a \"not found\", is too old to be served for it."));
        }

        var reason = source switch
        {
            FillSource.StaleAfterSoftTimeout => StaleReason.SoftTimeout,
            FillSource.StaleAfterFailure => StaleReason.UpstreamFailed,
            _ => StaleReason.UpstreamFailing,
        };
        return new ReadResult.Stale(entry, entry.AgeAt(time.GetUtcNow()), reason);
    }

    private bool IsPurged(CacheRead read, CachedResponse entry) => purger.IsPurged(read.Request, read.Route, read.Policy, entry.PurgeStamp);

    // Joins the fill in progress for the key, or starts one. A fill a background job starts takes its
    // permit after clients, until a client joins it.
    private (Task<FillOutcome> Flight, bool Started) StartOrJoin(CacheRead read, bool staleUsable)
    {
        var key = read.Key;
        // TryAdd: the entry of a background fill already running for the key must stay for clients to find.
        var background = BackgroundWork.Current is null ? null : new BackgroundPriority();
        if (background is not null && !_backgroundFills.TryAdd(key, background))
        {
            background = new BackgroundPriority();
        }

        var (flight, started) = _fills.Run(key, (Reader: this, Read: read, Background: background, StaleUsable: staleUsable),
            static state => state.Reader.RunFillAsync(state.Read, state.Background, state.StaleUsable));
        if (!started && background is not null)
        {
            _backgroundFills.TryRemove(new KeyValuePair<string, BackgroundPriority>(key, background));
        }
        else if (!started)
        {
            RaiseToClient(key);
        }

        return (flight, started);
    }

    // A client joined the key's fill: if a background job started it, its upstream request no longer waits behind clients'.
    private void RaiseToClient(string key)
    {
        if (_backgroundFills.TryGetValue(key, out var joined))
        {
            joined.RaiseToClient();
        }
    }

    private async Task<FillOutcome> RunFillAsync(CacheRead read, BackgroundPriority? background, bool staleUsable)
    {
        try
        {
            return await fill.FillAsync(read, background, staleUsable);
        }
        finally
        {
            if (background is not null)
            {
                _backgroundFills.TryRemove(new KeyValuePair<string, BackgroundPriority>(read.Key, background));
            }
        }
    }

    // Queued once however many reads see the entry stale, and after a failure not again until the
    // policy's fail-safe throttle period has passed. Not queued while the upstream is known to be failing
    // either (a pause, every circuit open or probing, a refused connection a moment ago): the refresh would
    // be refused or fail at once, and in an outage over thousands of keys each would cost an exception and a
    // warning, on the cores that answer the stale copies. The first stale read once that ends refreshes.
    private void RefreshInBackground(CacheRead read)
    {
        if ((_refreshBackoff.TryGetValue(read.Key, out var until) && time.GetUtcNow() < until) || fetcher.IsKnownFailing(read.RouteId))
        {
            return;
        }

        // A refresh a prefetch led to is as deep as that prefetch: it must not restart the prefetch chain.
        // A refresh a job led to stays in that job's lane: a warm-up must not flood the refresh lane.
        var trigger = BackgroundWork.Current;
        queue.TryEnqueue(new BackgroundJob(JobKind.Refresh, "refresh|" + read.Key, trigger?.Lane ?? QueueLane.Refresh, trigger?.Depth ?? 0,
            cancellationToken => RefreshAsync(read, cancellationToken)));
    }

    private async Task<JobResult> RefreshAsync(CacheRead read, CancellationToken cancellationToken)
    {
        if (fetcher.IsKnownFailing(read.RouteId))
        {
            // Found failing while the job waited its turn: no attempt, no warning, and no back-off either, so that the first
            // stale read once the upstream is usable again refreshes the key.
            return JobResult.Skipped;
        }

        var result = await fill.RefreshAsync(read, cancellationToken);
        if (result == JobResult.Stored)
        {
            _refreshBackoff.TryRemove(read.Key, out _);
        }
        else
        {
            BackOff(read.Key, read.Policy);
        }

        return result;
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
}

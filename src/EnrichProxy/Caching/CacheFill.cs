using System.Diagnostics;
using EnrichProxy.Background;
using EnrichProxy.Caching.Http;
using EnrichProxy.Caching.Purging;
using EnrichProxy.Telemetry;
using EnrichProxy.Upstreams;
using EnrichProxy.Upstreams.Resilience;
using ZiggyCreatures.Caching.Fusion;

namespace EnrichProxy.Caching;

/// <summary>
/// The one fill path, for client misses, prefetches and background refreshes alike: fetch from the
/// upstream, classify by the storability rules, store (or not), and tell the <see cref="IFillListener"/>s.
/// A miss goes through FusionCache's factory, for its fail-safe and soft and hard timeouts; a refresh
/// stores beside the entry it replaces, which keeps answering until then.
/// </summary>
internal sealed partial class CacheFill(
    IFusionCache cache, IUpstreamFetcher fetcher, FillListeners listeners, IRefreshLock refreshLock, Purger purger, CacheMetrics metrics, TimeProvider time,
    ILogger<CacheFill> logger)
{
    // Per-entry bookkeeping the memory cache adds to every answer, counted against its size limit.
    private const int EntryOverheadBytes = 512;

    // An origin's answer fresh for no time at all (no-cache, max-age=0) is still stored, for its validators.
    private static readonly TimeSpan MinimumDuration = TimeSpan.FromMilliseconds(1);

    /// <summary>
    /// Fills the entry of <paramref name="read"/>: one upstream request, the stale entry when it fails
    /// (fail-safe) or is slow (soft timeout). Not cancelled by any caller: the fill serves every waiter and,
    /// past a soft timeout, the cache.
    /// </summary>
    /// <param name="read">What to fill.</param>
    /// <param name="background">Set when a background job started the fill: its upstream request waits for rate-limit permits after clients'.</param>
    /// <param name="staleUsable">
    /// False when the expired entry at hand may not be answered (an origin's must-revalidate): the fill neither gives up at the
    /// soft timeout nor makes a single attempt for it, and uses the entry only for its validators.
    /// </param>
    public async Task<FillOutcome> FillAsync(CacheRead read, BackgroundPriority? background, bool staleUsable = true)
    {
        ArgumentNullException.ThrowIfNull(read);
        using var activity = EnrichProxySpans.Source.StartActivity(EnrichProxySpans.CacheFill);
        activity?.SetTag(EnrichProxySpans.RouteAttribute, read.RouteId);
        activity?.SetTag(EnrichProxySpans.PolicyAttribute, read.Policy.Name);

        var attempt = new Attempt();
        CachedResponse value;
        try
        {
            value = await cache.GetOrSetAsync<CachedResponse>(
                read.Key,
                async (context, _) =>
                {
                    attempt.Started = true;
                    attempt.HadStale = context.HasStaleValue;
                    UpstreamAnswer answer;
                    var stale = context.HasStaleValue ? context.StaleValue.Value : null;
                    var conditional = Conditional(read, stale);
                    try
                    {
                        // With a stale copy to fall back on, one attempt: a failing upstream is answered stale at once.
                        var request = stale is null ? read.Request : (conditional ?? read.Request) with { HasStaleFallback = staleUsable };
                        answer = await fetcher.FetchAsync(request, read.Policy.MaxCacheableBytes, background, CancellationToken.None);
                    }
                    catch
                    {
                        attempt.Failed = true;
                        throw;
                    }

                    var fetched = Revalidated(read, stale, conditional, answer);
                    var produced = Produce(fetched, read.Policy, answer.StatusCode);
                    if (produced.Storability == Storability.UpstreamFailure)
                    {
                        attempt.Failed = true;
                        throw new UpstreamErrorAnswerException(answer);
                    }

                    Apply(produced, read, context.Options);
                    attempt.Produced = produced;
                    var stored = produced.Entry;
                    if (VariesBy(read, produced, fetched) is { } variesBy)
                    {
                        var variantKey = await StoreVariantAsync(read, produced, variesBy);
                        stored = attempt.Marker = CachedResponse.Variants(variesBy, produced.Entry);
                        attempt.Variant = (variesBy, variantKey);
                        ApplyMarker(read, stored, context.Options);
                    }

                    if (attempt.Settle())
                    {
                        // The caller was answered stale at the soft timeout and this fill went on alone.
                        Notify(read, produced);
                    }

                    return stored;
                },
                options: staleUsable ? read.Policy.EntryOptions : read.Policy.ValidatorsOnlyEntryOptions,
                token: CancellationToken.None);
        }
        catch (UpstreamErrorAnswerException failure)
        {
            attempt.Settle();
            return new FillOutcome.Failed(UpstreamProblem.ErrorAnswer(failure.Answer));
        }
        catch (Exception exception) when (UpstreamProblem.From(exception) is { } problem)
        {
            if (problem.Kind == UpstreamProblemKind.TimedOut)
            {
                LogFillTimedOut(logger, read.RouteId);
            }

            attempt.Settle();
            return new FillOutcome.Failed(problem);
        }

        // Listeners (prefetch) hear of the entry once it is stored, so that a job they start finds it cached.
        if (attempt.Settle() && attempt.Produced is { } stored)
        {
            Notify(read, stored);
        }

        return Outcome(value, attempt);
    }

    /// <summary>
    /// Fetches the entry of <paramref name="read"/> again and stores it if it is storable, within the
    /// policy's hard timeout, taking rate-limit permits after clients. The entry in place answers meanwhile,
    /// and stays when the answer is not storable.
    /// </summary>
    public async Task<JobResult> RefreshAsync(CacheRead read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(read);
        Activity.Current?.SetTag(EnrichProxySpans.RouteAttribute, read.RouteId);
        Activity.Current?.SetTag(EnrichProxySpans.PolicyAttribute, read.Policy.Name);
        try
        {
            // One instance refreshes a key; the others hear of the new entry through the backplane.
            await using var refreshing = await refreshLock.TryTakeAsync(read.Key, read.Policy.HardTimeout, cancellationToken);
            if (refreshing is null)
            {
                return JobResult.Cached;
            }

            // Another instance may have refreshed the key and released the lock before this job took it.
            var current = await cache.TryGetAsync<CachedResponse>(read.Key, read.Policy.EntryOptions, cancellationToken);
            if (current.HasValue && Freshness.Of(current.Value, read.Policy, time.GetUtcNow(), out _) == EntryState.Fresh)
            {
                return JobResult.Cached;
            }

            var stale = current.HasValue ? current.Value : null;
            var conditional = Conditional(read, stale);
            using var hardTimeout = new CancellationTokenSource(read.Policy.HardTimeout, time);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, hardTimeout.Token);
            var answer = await fetcher.FetchAsync(conditional ?? read.Request, read.Policy.MaxCacheableBytes, new BackgroundPriority(), timeout.Token);
            answer = Revalidated(read, stale, conditional, answer);
            if (await StoreAsync(read, answer) is null)
            {
                LogRefreshNotStored(logger, read.RouteId, answer.StatusCode);
                return JobResult.NotStored;
            }

            return JobResult.Stored;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw; // Shutting down: the queue counts it cancelled.
        }
#pragma warning disable CA1031 // A failed background refresh must never take anything down; stale answers go on.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            LogRefreshFailed(logger, read.RouteId, exception.GetType().Name);
            return JobResult.Failed;
        }
    }

    // The request made conditional on the expired entry's validators, unless a purge covers the entry: a purged answer
    // must be fetched whole, not confirmed by the upstream and kept.
    private UpstreamRequest? Conditional(CacheRead read, CachedResponse? stale) =>
        stale is not null && !purger.IsPurged(read.Request, read.Route, read.Policy, stale.PurgeStamp) ? Revalidation.Conditional(read.Request, stale) : null;

    // A 304 to a conditional request is the stored answer again, with the 304's headers and times.
    private UpstreamAnswer Revalidated(CacheRead read, CachedResponse? stale, UpstreamRequest? conditional, UpstreamAnswer answer)
    {
        if (conditional is null || stale is null)
        {
            return answer;
        }

        var notModified = answer.StatusCode == StatusCodes.Status304NotModified;
        metrics.Revalidated(read.RouteId, notModified);
        return notModified ? Revalidation.Refreshed(stale, answer) : answer;
    }

    /// <summary>
    /// Stores <paramref name="answer"/>, fetched by the caller, as the entry of <paramref name="read"/> if the storability
    /// rules let it be stored: for a refresh, and for a batch whose one upstream answer holds many reads' entries.
    /// </summary>
    /// <returns>The stored entry; null when the answer is not stored (a failure, private, or not storable).</returns>
    public async Task<CachedResponse?> StoreAsync(CacheRead read, UpstreamAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(answer);
        var produced = Produce(answer, read.Policy);
        if (!produced.IsStored)
        {
            return null;
        }

        var options = read.Policy.EntryOptions.Duplicate();
        Apply(produced, read, options);
        if (VariesBy(read, produced, answer) is { } variesBy)
        {
            // A refresh may find that the answers vary now: the variant of the request it replays goes under its own key.
            await StoreVariantAsync(read, produced, variesBy);
            var marker = CachedResponse.Variants(variesBy, produced.Entry);
            ApplyMarker(read, marker, options);
            await cache.SetAsync(read.Key, marker, options, CancellationToken.None);
        }
        else
        {
            await cache.SetAsync(read.Key, produced.Entry, options, CancellationToken.None);
        }

        Notify(read, produced);
        return produced.Entry;
    }

    // The answer is one variant: it goes under its own key; the read's key keeps the marker that says where (ApplyMarker).
    private async Task<string> StoreVariantAsync(CacheRead read, Produced produced, string[] variesBy)
    {
        var variant = read.ForVariant(variesBy);
        var options = read.Policy.EntryOptions.Duplicate();
        Apply(produced, variant, options);
        await cache.SetAsync(variant.Key, produced.Entry, options, CancellationToken.None);
        return variant.Key;
    }

    // The marker outlives any one variant's freshness: the policy's window, not the first variant's; and its own small size.
    private static void ApplyMarker(CacheRead read, CachedResponse marker, FusionCacheEntryOptions options)
    {
        options.Size = EstimateSize(read.Key, marker);
        options.Duration = read.Policy.EntryOptions.Duration;
    }

    /// <summary>The bytes the memory level counts for an entry against its size limit: its key, headers and body, and a fixed overhead.</summary>
    internal static long EstimateSize(string key, CachedResponse entry)
    {
        long size = EntryOverheadBytes + (2L * key.Length) + entry.Body.Length;
        foreach (var header in entry.Headers)
        {
            size += 2L * (header.Name.Length + header.Value.Length);
        }

        return size;
    }

    // The storability rules, the same for every fill: what is kept, and as what.
    private static Produced Produce(UpstreamAnswer answer, CachePolicy policy, int? upstreamStatus = null)
    {
        var storability = StorabilityRules.Classify(answer, policy);
        var entry = storability switch
        {
            Storability.TooLarge => CachedResponse.TooLarge(answer.ReceivedAt),
            Storability.Private => CachedResponse.From(answer, withCookies: true),
            Storability.Fresh or Storability.Negative when policy.FollowsOrigin => CachedResponse.From(answer, origin: OriginRules.FreshnessOf(answer, policy)),
            _ => CachedResponse.From(answer),
        };
        return new Produced(storability, entry, upstreamStatus ?? answer.StatusCode);
    }

    private static void Apply(Produced produced, CacheRead read, FusionCacheEntryOptions options)
    {
        if (!produced.IsStored)
        {
            options.SkipMemoryCacheWrite = true;
            options.SkipDistributedCacheWrite = true;
            options.SkipBackplaneNotifications = true;
            return;
        }

        options.Size = EstimateSize(read.Key, produced.Entry);
        if (produced.Entry.Origin is { } origin)
        {
            // The windows the origin gave, from its age on arrival: past them the fill runs (conditionally, with the entry
            // fail-safe keeps); the policy's fail-safe window keeps the validators for that.
            options.Duration = Max(origin.Lifetime + origin.StaleWhileRevalidate - origin.InitialAge, MinimumDuration);
            options.FailSafeMaxDuration = Max(options.FailSafeMaxDuration, options.Duration);
            return;
        }

        if (produced.Storability == Storability.Negative)
        {
            // A "not found" is kept for its own time and no longer: not as the stale fallback of a failing upstream for
            // the positive answers' stale-if-error (days), when the item may well exist by then.
            options.Duration = read.Policy.NegativeTtl;
            options.FailSafeMaxDuration = read.Policy.NegativeTtl;
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    // The request headers a stored answer of an origin-driven policy varies by, beyond the policy's key; null when it does not.
    private static string[]? VariesBy(CacheRead read, Produced produced, UpstreamAnswer answer) =>
        read.Policy.FollowsOrigin && !read.IsVariant && produced.Storability is Storability.Fresh or Storability.Negative
            ? OriginRules.VariesBy(answer, read.Policy)
            : null;

    private void Notify(CacheRead read, Produced produced)
    {
        if (produced.Storability == Storability.Fresh)
        {
            listeners.Stored(read, produced.Entry);
        }
    }

    // What GetOrSetAsync returned says where it came from only together with what the factory did.
    private static FillOutcome Outcome(CachedResponse value, Attempt attempt)
    {
        if (attempt.Produced is { } produced && (ReferenceEquals(value, produced.Entry) || ReferenceEquals(value, attempt.Marker)))
        {
            return produced.Storability switch
            {
                Storability.Private => new FillOutcome.NotShared(produced.Entry),
                Storability.TooLarge => new FillOutcome.TooLarge(),
                _ => new FillOutcome.Answer(
                    produced.Entry, FillSource.Fetched, new FetchReport(produced.UpstreamStatus, produced.IsStored, attempt.HadStale),
                    attempt.Variant?.VariesBy, attempt.Variant?.Key),
            };
        }

        if (value.IsTooLarge)
        {
            return new FillOutcome.TooLarge();
        }

        // Not the factory's answer: another fill's (the factory never ran), or fail-safe's stale entry.
        var source = !attempt.Started ? FillSource.Stored
            : attempt.Failed ? FillSource.StaleAfterFailure
            : FillSource.StaleAfterSoftTimeout;
        return new FillOutcome.Answer(value, source);
    }

    /// <summary>An upstream answer classified, and the entry it becomes.</summary>
    private sealed record Produced(Storability Storability, CachedResponse Entry, int UpstreamStatus)
    {
        public bool IsStored => Storability is Storability.Fresh or Storability.Negative or Storability.TooLarge;
    }

    /// <summary>What the factory of one fill did; written by the factory, which may outlive the fill's caller past a soft timeout.</summary>
    private sealed class Attempt
    {
        private volatile bool _started;
        private volatile bool _failed;
        private volatile bool _hadStale;
        private volatile Produced? _produced;
        private int _settled;

        public bool Started { get => _started; set => _started = value; }

        public bool Failed { get => _failed; set => _failed = value; }

        public bool HadStale { get => _hadStale; set => _hadStale = value; }

        /// <summary>The variants marker stored under the read's key instead of the answer, when the answer varies.</summary>
        public CachedResponse? Marker { get; set; }

        /// <summary>What the answer varies by, and the key of its variant, when it does.</summary>
        public (string[] VariesBy, string Key)? Variant { get; set; }

        public Produced? Produced { get => _produced; set => _produced = value; }

        /// <summary>
        /// Called once by the factory when it has produced an entry and once by the caller when GetOrSetAsync is over;
        /// true for the second of the two, which is the one that tells listeners (the entry is stored by then, unless
        /// the factory outlived its caller's soft timeout, when FusionCache stores it as the factory returns).
        /// </summary>
        public bool Settle() => Interlocked.Exchange(ref _settled, 1) == 1;
    }

    [LoggerMessage(EventId = 3001, EventName = "RefreshNotStored", Level = LogLevel.Information,
        Message = "Background refresh for route {RouteId} got status {StatusCode}, which is not stored; stale answers go on")]
    private static partial void LogRefreshNotStored(ILogger logger, string routeId, int statusCode);

    [LoggerMessage(EventId = 3002, EventName = "RefreshFailed", Level = LogLevel.Warning,
        Message = "Background refresh for route {RouteId} failed ({Error}); stale answers go on")]
    private static partial void LogRefreshFailed(ILogger logger, string routeId, string error);

    [LoggerMessage(EventId = 3101, EventName = "FillTimedOut", Level = LogLevel.Warning,
        Message = "Fill for route {RouteId} timed out with nothing stale to answer")]
    private static partial void LogFillTimedOut(ILogger logger, string routeId);
}

using System.Collections.Frozen;
using EnrichProxy.Caching.Http;
using EnrichProxy.Caching.Purging;
using EnrichProxy.Configuration;
using EnrichProxy.Upstreams;
using ZiggyCreatures.Caching.Fusion;

namespace EnrichProxy.Caching;

/// <summary>A validated <see cref="CachePolicyOptions"/>, prepared once for the request path.</summary>
internal sealed class CachePolicy
{
    public CachePolicy(string name, CachePolicyOptions options)
        : this(name, options, [.. options?.Tags.Select(TagTemplate.Parse) ?? []])
    {
    }

    /// <summary>A policy whose tag templates were already parsed (<see cref="CachePolicyRegistry.Build"/>).</summary>
    /// <param name="name">The policy's name.</param>
    /// <param name="options">The policy's settings.</param>
    /// <param name="tags">Its parsed tag templates.</param>
    /// <param name="storageTimeout">The longest a request waits on one L2 operation or the distributed lock (<see cref="RedisOptions.OperationTimeout"/>).</param>
    /// <param name="sharedSecondLevel">Whether L2 is shared with other instances (Redis), rather than this instance's own file.</param>
    public CachePolicy(string name, CachePolicyOptions options, IReadOnlyList<TagTemplate> tags, TimeSpan? storageTimeout = null, bool sharedSecondLevel = false)
    {
        ArgumentNullException.ThrowIfNull(options);
        Name = name;
        Ttl = options.Ttl;
        StaleWhileRevalidate = options.StaleWhileRevalidate;
        StaleIfError = options.StaleIfError;
        NegativeTtl = options.NegativeTtl;
        SoftTimeout = options.SoftTimeout;
        HardTimeout = options.HardTimeout;
        VaryByHeaders = [.. options.VaryByHeaders.Select(h => h.Trim().ToLowerInvariant()).Distinct().Order(StringComparer.Ordinal)];
        IgnoredQueryParameters = options.IgnoreQueryParameters.ToFrozenSet(StringComparer.OrdinalIgnoreCase);
        OverrideOriginCacheControl = options.OverrideOriginCacheControl;
        FollowsOrigin = options.Freshness == CacheFreshness.Origin;
        ForwardsEveryHeader = FollowsOrigin && options.ForwardedRequestHeaders.Contains("*");
        ForwardedHeaders = FollowsOrigin
            ? [.. VaryByHeaders.Union(options.ForwardedRequestHeaders.Where(h => h != "*").Select(h => h.Trim().ToLowerInvariant()), StringComparer.Ordinal)
                .Where(UpstreamRequest.IsForwardedByFills)]
            : VaryByHeaders;
        MaxCacheableBytes = options.MaxCacheableBytes;
        ExpectedContentTypes = [.. options.ExpectedContentTypes.Select(type => type.Trim().ToLowerInvariant()).Where(type => type.Length > 0).Distinct()];
        Tags = tags;
        EntryOptions = CreateEntryOptions(
            Ttl, StaleWhileRevalidate, StaleIfError, SoftTimeout, HardTimeout, storageTimeout ?? RedisOptions.DefaultOperationTimeout, keepExpired: FollowsOrigin);
        // This instance's own file holds nothing newer than its memory does (every write goes to both), so a stale copy
        // in memory is not looked up again on disk: during an outage, every stale answer comes from memory. A shared L2
        // may hold what another instance stored since, so there it is read.
        EntryOptions.SkipDistributedCacheReadWhenStale = !sharedSecondLevel;
        MemoryOnlyEntryOptions = EntryOptions.Duplicate();
        MemoryOnlyEntryOptions.SkipDistributedCacheRead = true;
        StaleEntryOptions = EntryOptions.Duplicate();
        StaleEntryOptions.AllowStaleOnReadOnly = true;
        ValidatorsOnlyEntryOptions = EntryOptions.Duplicate();
        ValidatorsOnlyEntryOptions.FactorySoftTimeout = Timeout.InfiniteTimeSpan;
    }

    public string Name { get; }

    public TimeSpan Ttl { get; }

    public TimeSpan StaleWhileRevalidate { get; }

    public TimeSpan StaleIfError { get; }

    public TimeSpan NegativeTtl { get; }

    public TimeSpan? SoftTimeout { get; }

    public TimeSpan HardTimeout { get; }

    /// <summary>Lower-case header names, sorted, so the cache key does not depend on configuration order.</summary>
    public IReadOnlyList<string> VaryByHeaders { get; }

    public FrozenSet<string> IgnoredQueryParameters { get; }

    public bool OverrideOriginCacheControl { get; }

    /// <summary>The client request headers a fill sends (lower case): <see cref="VaryByHeaders"/>, and an origin-driven policy's <c>ForwardedRequestHeaders</c>.</summary>
    public IReadOnlyList<string> ForwardedHeaders { get; }

    /// <summary>Whether fills send every end-to-end header of the client (<c>ForwardedRequestHeaders: ["*"]</c>).</summary>
    public bool ForwardsEveryHeader { get; }

    /// <summary>Whether a fill sends the client's <paramref name="header"/>, so that an origin may have chosen its answer by it.</summary>
    public bool Forwards(string header) =>
        ForwardsEveryHeader ? UpstreamRequest.IsForwardedByFills(header) : ForwardedHeaders.Contains(header, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Whether freshness follows the origin's headers (<see cref="CacheFreshness.Origin"/>), within this policy's windows. Its
    /// fills send the client's <see cref="ForwardedHeaders"/>, and an answer that varies by one of them is kept per variant
    /// (<see cref="OriginRules.VariesBy"/>).
    /// </summary>
    public bool FollowsOrigin { get; }

    public long MaxCacheableBytes { get; }

    /// <summary>Lower-case media types (<c>image/*</c> matches any image); empty for any.</summary>
    public IReadOnlyList<string> ExpectedContentTypes { get; }

    /// <summary>The policy's tag templates (<see cref="CachePolicyOptions.Tags"/>).</summary>
    public IReadOnlyList<TagTemplate> Tags { get; }

    /// <summary>The FusionCache options of a fresh answer; shared, never mutated (FusionCache copies them when a factory adapts them).</summary>
    public FusionCacheEntryOptions EntryOptions { get; }

    /// <summary><see cref="EntryOptions"/> for lookups of the copy fail-safe keeps past the TTL (an upstream known to be failing).</summary>
    public FusionCacheEntryOptions StaleEntryOptions { get; }

    /// <summary><see cref="EntryOptions"/> for a fill whose expired entry may not be answered (kept for its validators): no soft timeout.</summary>
    public FusionCacheEntryOptions ValidatorsOnlyEntryOptions { get; }

    /// <summary><see cref="EntryOptions"/> for lookups that must not wait on L2 (the fast path).</summary>
    public FusionCacheEntryOptions MemoryOnlyEntryOptions { get; }

    private static FusionCacheEntryOptions CreateEntryOptions(
        TimeSpan ttl, TimeSpan staleWhileRevalidate, TimeSpan staleIfError, TimeSpan? softTimeout, TimeSpan hardTimeout, TimeSpan storageTimeout, bool keepExpired)
    {
        // FusionCache's logical duration covers the fresh and the stale-while-revalidate windows: within
        // both, a lookup finds the entry and our middleware decides HIT or STALE from its age. Past it, the
        // entry is kept (fail-safe) until the longer stale window ends, as the fallback when the upstream fails.
        var staleWindow = Max(staleWhileRevalidate, staleIfError);
        return new FusionCacheEntryOptions
        {
            Duration = ttl + staleWhileRevalidate,
            // An origin-driven policy keeps an expired entry for its validators (a conditional fill) even without stale windows; the
            // freshness rule, not fail-safe, says whether it may be answered.
            IsFailSafeEnabled = staleWindow > TimeSpan.Zero || keepExpired,
            FailSafeMaxDuration = ttl + staleWindow,
            FailSafeThrottleDuration = Min(TimeSpan.FromSeconds(30), Max(staleWindow, TimeSpan.FromSeconds(1))),
            FactorySoftTimeout = softTimeout ?? Timeout.InfiniteTimeSpan,
            FactoryHardTimeout = hardTimeout,
            AllowTimedOutFactoryBackgroundCompletion = true,
            // Every L2 operation (Redis or the disk) is bounded by storageTimeout where it runs, behind the storage
            // circuit (GuardedDistributedCache), which FusionCache's own hard timeout would only repeat. With a stale
            // copy in hand, a slow L2 read is not worth more than a fraction of that.
            DistributedCacheSoftTimeout = Min(storageTimeout, TimeSpan.FromMilliseconds(100)),
            // Waiting for another instance's fill of the key is waiting for the upstream, not for Redis: as long as
            // a fill may take. The lock's own Redis commands are bounded one by one (RedisFillLock).
            DistributedLockTimeout = hardTimeout,
            JitterMaxDuration = TimeSpan.Zero,
            Size = 1,
        };
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}

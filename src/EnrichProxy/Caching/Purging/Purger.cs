using System.Diagnostics.Metrics;
using EnrichProxy.Configuration;
using EnrichProxy.Telemetry;
using EnrichProxy.Upstreams;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;

namespace EnrichProxy.Caching.Purging;

/// <summary>
/// Makes purges and applies those of other instances: the marker goes into the ledger (from then on,
/// reads treat what it covers as missing), the fast path forgets its targets, and the store keeps the
/// marker across restarts and, with Redis, hands it to every instance.
/// </summary>
internal sealed partial class Purger : IHostedService
{
    private static readonly TimeSpan StoreTimeout = TimeSpan.FromSeconds(5);

    private readonly PurgeLedger _ledger;
    private readonly IPurgeStore _store;
    private readonly HotTargets _hotTargets;
    private readonly PurgeUrls _urls;
    private readonly CachePolicyRegistry _policies;
    private readonly TimeProvider _time;
    private readonly ILogger<Purger> _logger;
    private readonly Counter<long> _purges;
    private long _retentionTicks;

    public Purger(
        PurgeLedger ledger, IPurgeStore store, HotTargets hotTargets, PurgeUrls urls, CachePolicyRegistry policies, IOptionsMonitor<EnrichProxyOptions> options,
        TimeProvider time, IMeterFactory meterFactory, ILogger<Purger> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(meterFactory);
        _ledger = ledger;
        _store = store;
        _hotTargets = hotTargets;
        _urls = urls;
        _policies = policies;
        _time = time;
        _logger = logger;
        _retentionTicks = RetentionOf(options.CurrentValue).Ticks;
        // Policies can change while the proxy runs: a longer life keeps markers longer at once; a shorter one never
        // shortens it, since entries stored under the longer life may still be around.
        options.OnChange(changed => InterlockedMax(ref _retentionTicks, RetentionOf(changed).Ticks));
        _purges = meterFactory.Create(EnrichProxyDiagnostics.MeterName)
            .CreateCounter<long>(EnrichProxyDiagnostics.CachePurges, "{purge}", "Purges applied by this instance, by scope.");
        foreach (var scope in Enum.GetValues<PurgeScope>())
        {
            Count(scope, 0); // Series start at zero, before the first purge.
        }
    }

    /// <summary>How long a marker matters: the longest any entry can be served, fresh or stale, under any policy since the start.</summary>
    public TimeSpan Retention => TimeSpan.FromTicks(Interlocked.Read(ref _retentionTicks));

    public int MarkerCount => _ledger.Count;

    /// <summary>The latest purges this instance knows of (its own and, through the store, the others'), newest first.</summary>
    public IReadOnlyList<PurgeMarker> Recent(int count) =>
        [.. _ledger.Markers.OrderByDescending(marker => marker.PurgedAt).Take(count)];

    /// <summary>Whether another instance's purges can reach this one now; null without Redis.</summary>
    public bool? IsListening => _store.IsListening;

    /// <summary>
    /// Purges what <paramref name="value"/> names: here at once, then in the store, which keeps it across
    /// restarts and hands it to the other instances.
    /// </summary>
    /// <returns>The marker, and whether the store took it (if not, the purge holds on this instance only, until it restarts).</returns>
    public async Task<(PurgeMarker Marker, bool Stored)> PurgeAsync(PurgeScope scope, string value)
    {
        var marker = new PurgeMarker(scope, value, _time.GetUtcNow());
        var folds = Apply(marker);
        if (_logger.IsEnabled(LogLevel.Information))
        {
            // A tag or URL is the caller's text (an admin's, a webhook's): one line, and not a long one.
            var shown = LogText.Printable(value);
            LogPurged(_logger, scope, shown);
        }
        try
        {
            // Not the caller's token: a client that leaves must not leave a purge half made.
            using var timeout = new CancellationTokenSource(StoreTimeout);
            await _store.SaveAsync(marker, () => [.. _ledger.Markers], marker.PurgedAt - Retention, timeout.Token);
            foreach (var fold in folds)
            {
                // The other instances get the folds too; the disk file now holds the folded ledger.
                await _store.SaveAsync(fold, () => [.. _ledger.Markers], fold.PurgedAt - Retention, timeout.Token);
            }

            return (marker, true);
        }
#pragma warning disable CA1031 // The purge holds here; the caller is told it did not reach the store.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            LogNotStored(_logger, exception.GetType().Name);
            return (marker, false);
        }
    }

    /// <summary>Whether a purge covers the entry of <paramref name="request"/> whose upstream request was sent at <paramref name="storedAt"/>.</summary>
    public bool IsPurged(UpstreamRequest request, RouteConfig route, CachePolicy policy, DateTimeOffset storedAt)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_ledger.IsEmpty)
        {
            return false;
        }

        // Each scope is looked at only when it has markers: the URL part and the tags cost a little to work out.
        if (_ledger.CoversEverything(storedAt)
            || (_ledger.Has(PurgeScope.Route) && _ledger.Covers(PurgeScope.Route, request.RouteId, storedAt))
            || (_ledger.Has(PurgeScope.Url) && _ledger.Covers(PurgeScope.Url, _urls.PartOf(request.Path, request.Query), storedAt)))
        {
            return true;
        }

        if (!_ledger.Has(PurgeScope.Tag) && !_ledger.Has(PurgeScope.TagPrefix))
        {
            return false;
        }

        foreach (var template in _policies.TagsFor(route, policy))
        {
            if (template.Resolve(request.RouteValues) is { } tag && _ledger.CoversTag(tag, storedAt))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether a purge of <paramref name="tag"/> covers something whose upstream requests were sent at <paramref name="requestedAt"/>.</summary>
    public bool IsTagPurged(string tag, DateTimeOffset requestedAt) =>
        _ledger.CoversEverything(requestedAt) || _ledger.CoversTag(tag, requestedAt);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _store.Received += Received;
        try
        {
            // Listening first, then reading: a purge made in between is received, not lost.
            await _store.SubscribeAsync(cancellationToken);
            foreach (var marker in await _store.LoadAsync(cancellationToken))
            {
                _ledger.Apply(marker);
            }

            var now = _time.GetUtcNow();
            _ledger.Prune(now - Retention);
            foreach (var fold in _ledger.FoldIfFull())
            {
                // A store left over full (by an older version, or instances that each stayed under the cap) is folded too.
                await _store.SaveAsync(fold, () => [.. _ledger.Markers], now - Retention, cancellationToken);
            }
        }
#pragma warning disable CA1031 // Without its markers the proxy still answers; readiness shows the backplane, and the log says why.
        catch (Exception exception) when (exception is not OperationCanceledException)
#pragma warning restore CA1031
        {
            LogMarkersUnavailable(_logger, exception.GetType().Name);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _store.Received -= Received;
        return Task.CompletedTask;
    }

    private void Received(PurgeMarker marker) => Apply(marker);

    // Returns the markers the ledger folded its oldest markers into, if it was full.
    private IReadOnlyList<PurgeMarker> Apply(PurgeMarker marker)
    {
        if (_ledger.Apply(marker))
        {
            _hotTargets.ForgetAll();
            Count(marker.Scope, 1);
        }

        _ledger.Prune(_time.GetUtcNow() - Retention);
        var folds = _ledger.FoldIfFull();
        if (folds.Count > 0)
        {
            _hotTargets.ForgetAll();
            foreach (var fold in folds)
            {
                Count(fold.Scope, 1);
            }
        }

        return folds;
    }

    private void Count(PurgeScope scope, long purges) =>
        _purges.Add(purges, new KeyValuePair<string, object?>(EnrichProxyDiagnostics.ScopeTag, PurgeMarker.ScopeName(scope)));

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static TimeSpan RetentionOf(EnrichProxyOptions options)
    {
        var documents = options.Enrichment;
        return Max(LongestLife(options.Policies.Values), documents.Ttl + documents.StaleIfError + TimeSpan.FromMinutes(1));
    }

    private static void InterlockedMax(ref long target, long value)
    {
        long current;
        while (value > (current = Interlocked.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    private static TimeSpan LongestLife(IEnumerable<CachePolicyOptions> policies)
    {
        var longest = TimeSpan.FromMinutes(1);
        foreach (var policy in policies)
        {
            var stale = new[] { policy.StaleWhileRevalidate, policy.StaleIfError, policy.NegativeTtl }.Max();
            if (policy.Ttl + stale > longest)
            {
                longest = policy.Ttl + stale;
            }
        }

        // A little more, for clocks of instances that differ by a few seconds.
        return longest + TimeSpan.FromMinutes(1);
    }

    [LoggerMessage(EventId = 5001, EventName = "Purged", Level = LogLevel.Information,
        Message = "Purged by {Scope}: {Value}")]
    private static partial void LogPurged(ILogger logger, PurgeScope scope, string value);

    [LoggerMessage(EventId = 5005, EventName = "PurgeNotStored", Level = LogLevel.Warning,
        Message = "A purge holds on this instance only: it could not be stored ({Error})")]
    private static partial void LogNotStored(ILogger logger, string error);

    [LoggerMessage(EventId = 5002, EventName = "PurgeMarkersUnavailable", Level = LogLevel.Warning,
        Message = "Stored purge markers could not be read ({Error}); purges made before this start may not apply here")]
    private static partial void LogMarkersUnavailable(ILogger logger, string error);
}

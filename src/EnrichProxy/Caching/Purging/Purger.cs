using System.Diagnostics.Metrics;
using EnrichProxy.Configuration;
using EnrichProxy.Telemetry;
using Microsoft.Extensions.Options;

namespace EnrichProxy.Caching.Purging;

/// <summary>
/// Makes purges and applies those of other instances: the marker goes into the ledger (from then on,
/// reads treat what it covers as missing), the fast path forgets its targets, and the store keeps the
/// marker across restarts and, with Redis, hands it to every instance.
/// </summary>
internal sealed partial class Purger : IHostedService
{
    private readonly PurgeLedger _ledger;
    private readonly IPurgeStore _store;
    private readonly HotTargets _hotTargets;
    private readonly PurgeUrls _urls;
    private readonly TimeProvider _time;
    private readonly ILogger<Purger> _logger;
    private readonly Counter<long> _purges;

    public Purger(
        PurgeLedger ledger, IPurgeStore store, HotTargets hotTargets, PurgeUrls urls, IOptions<EnrichProxyOptions> options,
        TimeProvider time, IMeterFactory meterFactory, ILogger<Purger> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(meterFactory);
        _ledger = ledger;
        _store = store;
        _hotTargets = hotTargets;
        _urls = urls;
        _time = time;
        _logger = logger;
        Retention = LongestLife(options.Value.Policies.Values);
        _purges = meterFactory.Create(EnrichProxyDiagnostics.MeterName)
            .CreateCounter<long>(EnrichProxyDiagnostics.CachePurges, "{purge}", "Purges applied by this instance, by scope.");
        foreach (var scope in Enum.GetValues<PurgeScope>())
        {
            Count(scope, 0); // Series start at zero, before the first purge.
        }
    }

    /// <summary>How long a marker matters: the longest any entry can be served, fresh or stale.</summary>
    public TimeSpan Retention { get; }

    public int MarkerCount => _ledger.Count;

    /// <summary>Whether another instance's purges can reach this one now; null without Redis.</summary>
    public bool? IsListening => _store.IsListening;

    /// <summary>Purges what <paramref name="value"/> names, here at once and on every instance through the store.</summary>
    public async Task<PurgeMarker> PurgeAsync(PurgeScope scope, string value, CancellationToken cancellationToken)
    {
        var marker = new PurgeMarker(scope, value, _time.GetUtcNow());
        Apply(marker);
        await _store.SaveAsync(marker, [.. _ledger.Markers], marker.PurgedAt - Retention, cancellationToken).ConfigureAwait(false);
        LogPurged(_logger, scope, value);
        return marker;
    }

    /// <summary>Whether a purge covers the entry of <paramref name="request"/> stored at <paramref name="storedAt"/>.</summary>
    public bool IsPurged(FillRequest request, IReadOnlyList<TagTemplate> tags, DateTimeOffset storedAt)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(tags);
        if (_ledger.IsEmpty)
        {
            return false;
        }

        if (_ledger.Covers(PurgeScope.Route, request.RouteId, storedAt)
            || _ledger.Covers(PurgeScope.Url, _urls.PartOf(request.Path, request.Query), storedAt))
        {
            return true;
        }

        foreach (var template in tags)
        {
            if (template.Resolve(request.RouteValues) is { } tag && _ledger.Covers(PurgeScope.Tag, tag, storedAt))
            {
                return true;
            }
        }

        return false;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _store.Received += Apply;
        try
        {
            foreach (var marker in await _store.LoadAsync(cancellationToken).ConfigureAwait(false))
            {
                _ledger.Apply(marker);
            }

            _ledger.Prune(_time.GetUtcNow() - Retention);
            await _store.SubscribeAsync(cancellationToken).ConfigureAwait(false);
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
        _store.Received -= Apply;
        return Task.CompletedTask;
    }

    private void Apply(PurgeMarker marker)
    {
        if (_ledger.Apply(marker))
        {
            _hotTargets.ForgetAll();
            Count(marker.Scope, 1);
        }

        _ledger.Prune(_time.GetUtcNow() - Retention);
    }

    private void Count(PurgeScope scope, long purges) =>
        _purges.Add(purges, new KeyValuePair<string, object?>(EnrichProxyDiagnostics.ScopeTag, PurgeMarker.ScopeName(scope)));

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

    [LoggerMessage(EventId = 5002, EventName = "PurgeMarkersUnavailable", Level = LogLevel.Warning,
        Message = "Stored purge markers could not be read ({Error}); purges made before this start may not apply here")]
    private static partial void LogMarkersUnavailable(ILogger logger, string error);
}

using System.Diagnostics.Metrics;
using EnrichProxy.Configuration;
using EnrichProxy.Telemetry;
using Microsoft.Extensions.Options;

namespace EnrichProxy.Caching.Storage;

/// <summary>
/// The size of both cache levels as gauges: L1 read when metrics are collected, L2 counted every
/// <see cref="CacheStorageOptions.L2SampleInterval"/> in the background.
/// </summary>
internal sealed partial class CacheLevelMetrics : BackgroundService
{
    private readonly MemoryLevel _memory;
    private readonly ISecondLevelCensus _census;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly ILogger<CacheLevelMetrics> _logger;
    private SecondLevelSample? _secondLevel;

    public CacheLevelMetrics(
        MemoryLevel memory, ISecondLevelCensus census, IOptions<EnrichProxyOptions> options, IMeterFactory meterFactory, TimeProvider time, ILogger<CacheLevelMetrics> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(meterFactory);
        _memory = memory;
        _census = census;
        SecondLevelKind = census.Kind;
        _interval = options.Value.Cache.L2SampleInterval;
        _time = time;
        _logger = logger;
        var meter = meterFactory.Create(EnrichProxyDiagnostics.MeterName);
        meter.CreateObservableGauge(EnrichProxyDiagnostics.CacheL1Entries, () => _memory.Measure().Entries, "{entry}", "Entries in the memory level (L1).");
        meter.CreateObservableGauge(EnrichProxyDiagnostics.CacheL1Size, () => _memory.Measure().Bytes, "By", "Estimated bytes held by the memory level (L1).");
        meter.CreateObservableGauge(EnrichProxyDiagnostics.CacheL2Entries, () => _secondLevel?.Count.Entries ?? 0, "{entry}", "Entries in the second level (L2), sampled.");
        meter.CreateObservableGauge(EnrichProxyDiagnostics.CacheL2Size, () => _secondLevel?.Count.Bytes ?? 0, "By", "Bytes of the second level's entries (L2), sampled.");
    }

    /// <summary><c>redis</c> or <c>disk</c>.</summary>
    public string SecondLevelKind { get; }

    /// <summary>The last count of the second level, or null before the first one succeeded.</summary>
    public SecondLevelSample? SecondLevel => _secondLevel;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failing = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                _secondLevel = new SecondLevelSample(await _census.CountAsync(stoppingToken), _time.GetUtcNow());
                failing = false;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A gauge that cannot be read must not stop the proxy; the failure is logged once per streak.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                if (!failing)
                {
                    var error = exception.GetType().Name;
                    LogCensusFailed(_logger, SecondLevelKind, error);
                }

                failing = true;
            }

            await Task.Delay(_interval, _time, stoppingToken);
        }
    }

    [LoggerMessage(EventId = 4001, EventName = "L2CensusFailed", Level = LogLevel.Information,
        Message = "Could not count the {Kind} cache level ({Error}); its gauges keep their last value")]
    private static partial void LogCensusFailed(ILogger logger, string kind, string error);
}

/// <summary>A count of the second level and when it was taken.</summary>
internal sealed record SecondLevelSample(SecondLevelCount Count, DateTimeOffset TakenAt);

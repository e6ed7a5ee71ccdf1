using System.Text.Json;
using StackExchange.Redis;

namespace EnrichProxy.Caching.Purging;

/// <summary>
/// Markers in a Redis hash (field: scope and value; value: the marker), announced on a pub/sub channel
/// beside FusionCache's backplane, so a purge through one instance reaches every instance at once and
/// an instance that starts later, or reconnects, reads it from the hash.
/// </summary>
internal sealed partial class RedisPurgeStore(IConnectionMultiplexer redis, string instanceName, ILogger<RedisPurgeStore> logger) : IPurgeStore
{
    // Old markers are dropped from the hash every this many saves, by whichever instance makes them.
    private const int SavesBetweenPrunes = 100;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly RedisKey _hash = MarkersKey(instanceName);
    private readonly RedisChannel _channel = RedisChannel.Literal(instanceName + "purges");
    private int _saves;
    private volatile bool _subscribed;

    public event Action<PurgeMarker>? Received;

    public bool? IsListening => _subscribed && redis.IsConnected;

    /// <summary>The Redis key of the markers hash.</summary>
    public static string MarkersKey(string instanceName) => instanceName + "purges";

    public async Task<IReadOnlyList<PurgeMarker>> LoadAsync(CancellationToken cancellationToken)
    {
        var entries = await redis.GetDatabase().HashGetAllAsync(_hash).WaitAsync(cancellationToken);
        return [.. entries.Select(entry => Parse(entry.Value)).OfType<PurgeMarker>()];
    }

    public async Task SaveAsync(PurgeMarker marker, Func<IReadOnlyCollection<PurgeMarker>> all, DateTimeOffset pruneBefore, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(marker);
        var database = redis.GetDatabase();
        var json = JsonSerializer.Serialize(marker, Json);
        // Stored and announced together (MULTI/EXEC), or neither.
        var transaction = database.CreateTransaction();
        _ = transaction.HashSetAsync(_hash, marker.Key, json);
        _ = transaction.PublishAsync(_channel, json);
        if (!await transaction.ExecuteAsync().WaitAsync(cancellationToken))
        {
            throw new RedisException("The purge transaction was not executed.");
        }

        // A fold is pruned after at once: the markers it replaces leave the hash, which stays as bounded as the ledger.
        if (Interlocked.Increment(ref _saves) % SavesBetweenPrunes == 0 || marker.Scope is PurgeScope.Everything or PurgeScope.TagPrefix)
        {
            await PruneAsync(database, pruneBefore, cancellationToken);
        }
    }

    // Housekeeping: a failure leaves old markers for the next prune, and does not undo the purge just stored.
    private async Task PruneAsync(IDatabase database, DateTimeOffset pruneBefore, CancellationToken cancellationToken)
    {
        try
        {
            var entries = await database.HashGetAllAsync(_hash).WaitAsync(cancellationToken);
            var markers = entries.Select(entry => (Entry: entry, Marker: Parse(entry.Value))).Where(e => e.Marker is not null).ToList();
            var covered = PurgeLedger.CoveredByFolds([.. markers.Select(e => e.Marker!)]).ToHashSet();
            var stale = markers.Where(e => e.Marker!.PurgedAt < pruneBefore || covered.Contains(e.Marker!)).ToList();
            if (stale.Count > 0)
            {
                // Only if unchanged since read: a marker another instance has just made newer must stay.
                var transaction = database.CreateTransaction();
                foreach (var (entry, _) in stale)
                {
                    transaction.AddCondition(Condition.HashEqual(_hash, entry.Name, entry.Value));
                }

                _ = transaction.HashDeleteAsync(_hash, [.. stale.Select(e => e.Entry.Name)]);
                await transaction.ExecuteAsync().WaitAsync(cancellationToken);
            }
        }
#pragma warning disable CA1031 // See above.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            var error = exception.GetType().Name;
            LogPruneFailed(logger, error);
        }
    }

    public async Task SubscribeAsync(CancellationToken cancellationToken)
    {
        // Announcements sent while this instance was away are lost; the hash has them.
        redis.ConnectionRestored += (_, _) => _ = CatchUpAsync();
        await EnsureSubscribedAsync(cancellationToken);
    }

    private async Task EnsureSubscribedAsync(CancellationToken cancellationToken)
    {
        if (_subscribed)
        {
            return;
        }

        await redis.GetSubscriber().SubscribeAsync(_channel, (_, message) =>
        {
            if (Parse(message) is { } marker)
            {
                Received?.Invoke(marker);
            }
        }).WaitAsync(cancellationToken);
        _subscribed = true;
    }

    private async Task CatchUpAsync()
    {
        try
        {
            await EnsureSubscribedAsync(CancellationToken.None);
            foreach (var marker in await LoadAsync(CancellationToken.None))
            {
                Received?.Invoke(marker);
            }
        }
#pragma warning disable CA1031 // Redis went away again; the next reconnection tries again.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            LogCatchUpFailed(logger, exception.GetType().Name);
        }
    }

    private PurgeMarker? Parse(RedisValue value)
    {
        try
        {
            return value.IsNullOrEmpty ? null : JsonSerializer.Deserialize<PurgeMarker>(value.ToString(), Json) is { IsWellFormed: true } marker ? marker : null;
        }
        catch (JsonException)
        {
            LogUnreadableMarker(logger);
            return null;
        }
    }

    [LoggerMessage(EventId = 5006, EventName = "PurgePruneFailed", Level = LogLevel.Information,
        Message = "Old purge markers could not be dropped from Redis ({Error}); the next prune tries again")]
    private static partial void LogPruneFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 5004, EventName = "PurgeCatchUpFailed", Level = LogLevel.Warning,
        Message = "Could not read the purges made while Redis was away ({Error}); the next reconnection tries again")]
    private static partial void LogCatchUpFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 5003, EventName = "UnreadablePurgeMarker", Level = LogLevel.Warning,
        Message = "A purge marker in Redis could not be read and is ignored")]
    private static partial void LogUnreadableMarker(ILogger logger);
}

using EnrichProxy.Configuration;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace EnrichProxy.Caching.Storage;

/// <summary>
/// Keeps the embedded disk level (L2) under <see cref="CacheStorageOptions.DiskMaxBytes"/>: every
/// <see cref="CheckInterval"/> it measures the file's used pages and, past the bound, evicts the entries that expire
/// soonest, a tenth at a time, until it is back under; then it truncates the write-ahead log. Cache-busting URLs
/// can fill the disk no faster than the bound allows, and an evicted entry is only a miss (memory may still hold it).
/// </summary>
internal sealed partial class DiskLevelBound : BackgroundService
{
    /// <summary>How often the file is measured.</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(30);

    private readonly string _connectionString;
    private readonly long _maxBytes;
    private readonly TimeProvider _time;
    private readonly ILogger<DiskLevelBound> _logger;

    public DiskLevelBound(string path, IOptions<EnrichProxyOptions> options, TimeProvider time, ILogger<DiskLevelBound> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        // The cache's own connection may be writing: wait for it rather than fail (busy timeout, seconds).
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWrite, Pooling = false, DefaultTimeout = 5 }.ToString();
        _maxBytes = options.Value.Cache.DiskMaxBytes;
        _time = time;
        _logger = logger;
    }

    /// <summary>Evicts until the file's used bytes are under the bound.</summary>
    /// <returns>How many entries were evicted.</returns>
    public async Task<long> EnforceAsync(CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        long evicted = 0;
        var used = await UsedBytesAsync(connection, cancellationToken);
        var before = used;
        while (used > _maxBytes)
        {
            var rows = await ScalarAsync(connection, "SELECT COUNT(*) FROM cache", cancellationToken);
            if (rows == 0)
            {
                break;
            }

            await using var delete = connection.CreateCommand();
            delete.CommandText = "DELETE FROM cache WHERE key IN (SELECT key FROM cache ORDER BY expiry LIMIT $count)";
            delete.Parameters.AddWithValue("$count", Math.Max(1, rows / 10));
            evicted += await delete.ExecuteNonQueryAsync(cancellationToken);
            used = await UsedBytesAsync(connection, cancellationToken);
        }

        if (evicted > 0)
        {
            await ScalarAsync(connection, "PRAGMA wal_checkpoint(TRUNCATE)", cancellationToken);
            LogEvicted(_logger, evicted, before, used, _maxBytes);
        }

        return evicted;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(CheckInterval, _time, stoppingToken);
                await EnforceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A bound that cannot be enforced now must not stop the proxy: the next check tries again.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                // A locked or damaged file: the cache goes on meanwhile.
                LogFailed(_logger, exception.GetType().Name);
            }
        }
    }

    // Pages in use (the file's pages less its free list), as the file will hold them once the log is checkpointed.
    private static async Task<long> UsedBytesAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        var pages = await ScalarAsync(connection, "PRAGMA page_count", cancellationToken);
        var free = await ScalarAsync(connection, "PRAGMA freelist_count", cancellationToken);
        var pageSize = await ScalarAsync(connection, "PRAGMA page_size", cancellationToken);
        return (pages - free) * pageSize;
    }

    private static async Task<long> ScalarAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    [LoggerMessage(EventId = 4002, EventName = "DiskLevelEvicted", Level = LogLevel.Information,
        Message = "The disk cache level held {Before} bytes, over its bound of {MaxBytes}: {Evicted} entries that expire soonest were evicted, {After} bytes are left")]
    private static partial void LogEvicted(ILogger logger, long evicted, long before, long after, long maxBytes);

    [LoggerMessage(EventId = 4003, EventName = "DiskLevelBoundFailed", Level = LogLevel.Warning,
        Message = "The disk cache level could not be measured or trimmed ({Error}); the next check tries again")]
    private static partial void LogFailed(ILogger logger, string error);
}

using Microsoft.Data.Sqlite;
using StackExchange.Redis;

namespace EnrichProxy.Caching.Storage;

/// <summary>Counts the entries of the second level and their bytes; too slow for every scrape, so it is sampled.</summary>
internal interface ISecondLevelCensus
{
    /// <summary><c>redis</c> or <c>disk</c>.</summary>
    string Kind { get; }

    Task<SecondLevelCount> CountAsync(CancellationToken cancellationToken);
}

/// <summary>Entries of the second level and their bytes.</summary>
internal readonly record struct SecondLevelCount(long Entries, long Bytes);

/// <summary>The rows of the embedded disk file (expired rows count until the file's own periodic sweep).</summary>
internal sealed class DiskCensus(string path) : ISecondLevelCensus
{
    public string Kind => "disk";

    public async Task<SecondLevelCount> CountAsync(CancellationToken cancellationToken)
    {
        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString();
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*), COALESCE(SUM(LENGTH(value)), 0) FROM cache";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new SecondLevelCount(reader.GetInt64(0), reader.GetInt64(1));
    }
}

/// <summary>
/// The keys under the instance prefix on every primary, counted with SCAN; bytes are estimated from
/// <c>MEMORY USAGE</c> of a sample, since asking it of every key would load Redis for a gauge.
/// </summary>
internal sealed class RedisCensus(IConnectionMultiplexer redis, string instanceName, IEnumerable<RedisKeyOutsideCache> keysOutsideCache) : ISecondLevelCensus
{
    private const int SampleSize = 500;

    private readonly HashSet<string> _ownKeys = [.. keysOutsideCache.Select(k => k.Key)];

    public string Kind => "redis";

    public async Task<SecondLevelCount> CountAsync(CancellationToken cancellationToken)
    {
        var pattern = EscapeGlob(instanceName) + "*";
        long entries = 0;
        var sample = new List<RedisKey>(SampleSize);
        foreach (var server in redis.GetServers().Where(s => s.IsConnected && !s.IsReplica))
        {
            await foreach (var key in server.KeysAsync(pattern: pattern, pageSize: 1000).WithCancellation(cancellationToken))
            {
                if (_ownKeys.Contains(key.ToString()))
                {
                    continue;
                }

                entries++;
                if (sample.Count < SampleSize)
                {
                    sample.Add(key);
                }
            }
        }

        if (sample.Count == 0)
        {
            return new SecondLevelCount(entries, 0);
        }

        var database = redis.GetDatabase();
        var usages = await Task.WhenAll(sample.Select(key => database.ExecuteAsync("MEMORY", "USAGE", key)));
        var sampled = usages.Sum(usage => usage.IsNull ? 0L : (long)usage);
        return new SecondLevelCount(entries, sampled * entries / sample.Count);
    }

    private static string EscapeGlob(string value) =>
        string.Concat(value.Select(c => c is '*' or '?' or '[' or ']' or '\\' ? "\\" + c : c.ToString()));
}

/// <summary>A key under the instance prefix that another feature keeps in Redis (purge markers, overrides), left out of the L2 count.</summary>
internal sealed record RedisKeyOutsideCache(string Key);

using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace EnrichProxy.Enrichment.Overrides;

/// <summary>
/// Overrides in an embedded SQLite file of their own (<c>data/overrides.db</c> by default): unlike the
/// cache, they are the operator's data, so deleting the cache file never takes them. SQLite's calls
/// are synchronous, so they run on the thread pool.
/// </summary>
internal sealed class SqliteOverrideStore : IOverrideStore
{
    private readonly string _connectionString;
    private volatile bool _created;

    public SqliteOverrideStore(string path)
    {
        SQLitePCL.Batteries_V2.Init();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate }.ToString();
    }

    public async Task<ItemOverride?> GetAsync(ItemKey item, CancellationToken cancellationToken)
    {
        return await Task.Run(
            () =>
            {
                using var connection = Open();
                using var command = connection.CreateCommand();
                command.CommandText = "SELECT fields, updated FROM overrides WHERE kind = $kind AND id = $id";
                Bind(command, item);
                using var reader = command.ExecuteReader();
                return reader.Read()
                    ? new ItemOverride(item, JsonNode.Parse(reader.GetString(0))!.AsObject(), DateTimeOffset.Parse(reader.GetString(1), CultureInfo.InvariantCulture))
                    : null;
            },
            cancellationToken);
    }

    public async Task SetAsync(ItemOverride value, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(value);
        await ExecuteAsync(
            "INSERT INTO overrides (kind, id, fields, updated) VALUES ($kind, $id, $fields, $updated) " +
            "ON CONFLICT (kind, id) DO UPDATE SET fields = excluded.fields, updated = excluded.updated",
            command =>
            {
                Bind(command, value.Item);
                command.Parameters.AddWithValue("$fields", value.Fields.ToJsonString());
                command.Parameters.AddWithValue("$updated", value.UpdatedAt.ToString("O", CultureInfo.InvariantCulture));
            },
            cancellationToken);
    }

    public async Task<bool> RemoveAsync(ItemKey item, CancellationToken cancellationToken)
    {
        return await ExecuteAsync("DELETE FROM overrides WHERE kind = $kind AND id = $id", command => Bind(command, item), cancellationToken) > 0;
    }

    private Task<int> ExecuteAsync(string sql, Action<SqliteCommand> bind, CancellationToken cancellationToken) => Task.Run(
        () =>
        {
            using var connection = Open();
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            bind(command);
            return command.ExecuteNonQuery();
        },
        cancellationToken);

    // The table is made on first use; a failure (a disk not there yet) is tried again on the next call.
    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        if (!_created)
        {
            using var create = connection.CreateCommand();
            create.CommandText = "CREATE TABLE IF NOT EXISTS overrides (kind TEXT NOT NULL, id TEXT NOT NULL, fields TEXT NOT NULL, updated TEXT NOT NULL, PRIMARY KEY (kind, id))";
            create.ExecuteNonQuery();
            _created = true;
        }

        return connection;
    }

    private static void Bind(SqliteCommand command, ItemKey item)
    {
        command.Parameters.AddWithValue("$kind", ItemKey.KindName(item.Kind));
        command.Parameters.AddWithValue("$id", item.Id);
    }
}

using System.Globalization;
using System.Text.Json.Nodes;
using StackExchange.Redis;

namespace EnrichProxy.Enrichment.Overrides;

/// <summary>Overrides in a Redis hash per kind (<c>{InstanceName}overrides:movies</c>, field: the id), shared by every instance.</summary>
internal sealed class RedisOverrideStore(IConnectionMultiplexer redis, string instanceName) : IOverrideStore
{
    public async Task<ItemOverride?> GetAsync(ItemKey item, CancellationToken cancellationToken)
    {
        var stored = await redis.GetDatabase().HashGetAsync(Hash(item.Kind), item.Id).WaitAsync(cancellationToken);
        if (stored.IsNullOrEmpty)
        {
            return null;
        }

        var record = JsonNode.Parse(stored.ToString())!.AsObject();
        return new ItemOverride(
            item,
            record["fields"]!.AsObject().DeepClone().AsObject(),
            DateTimeOffset.Parse(record["updatedAt"]!.GetValue<string>(), CultureInfo.InvariantCulture));
    }

    public Task SetAsync(ItemOverride value, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(value);
        var record = new JsonObject
        {
            ["fields"] = value.Fields.DeepClone(),
            ["updatedAt"] = value.UpdatedAt.ToString("O", CultureInfo.InvariantCulture),
        };
        return redis.GetDatabase().HashSetAsync(Hash(value.Item.Kind), value.Item.Id, record.ToJsonString()).WaitAsync(cancellationToken);
    }

    public Task<bool> RemoveAsync(ItemKey item, CancellationToken cancellationToken) =>
        redis.GetDatabase().HashDeleteAsync(Hash(item.Kind), item.Id).WaitAsync(cancellationToken);

    /// <summary>The Redis key of one kind's overrides.</summary>
    public static string HashKey(string instanceName, ItemKind kind) => $"{instanceName}overrides:{ItemKey.KindName(kind)}";

    private RedisKey Hash(ItemKind kind) => HashKey(instanceName, kind);
}

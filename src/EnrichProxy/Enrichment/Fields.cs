using System.Text.Json.Nodes;

namespace EnrichProxy.Enrichment;

/// <summary>Helpers the field mappings share.</summary>
internal static class Fields
{
    /// <summary>Copies a field only when the source really has it: a null or a blank string is no answer.</summary>
    public static void Copy(JsonObject fields, string name, JsonNode? value)
    {
        ArgumentNullException.ThrowIfNull(fields);
        if (value is null || (value is JsonValue text && text.TryGetValue<string>(out var s) && string.IsNullOrWhiteSpace(s)))
        {
            return;
        }

        fields[name] = value.DeepClone();
    }

    /// <summary>The node at a path of object properties, or null where the path leaves the objects (an upstream that sends text where an object belongs).</summary>
    public static JsonNode? At(JsonNode? node, params string[] path)
    {
        foreach (var name in path)
        {
            node = node is JsonObject item && item.TryGetPropertyValue(name, out var child) ? child : null;
        }

        return node;
    }

    /// <summary>The text of a JSON string, or null for anything else (an upstream that sends a number or an object where text belongs is not trusted).</summary>
    public static string? Text(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    /// <summary>An Arr's <c>images</c> (<c>coverType</c>, <c>remoteUrl</c> or <c>url</c>) as URL lists by kind, or null when there are none.</summary>
    public static JsonObject? ImagesByKind(JsonNode? images)
    {
        var byKind = new JsonObject();
        foreach (var image in (images as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            var kind = Text(image["coverType"]);
            var url = Text(image["remoteUrl"]) ?? Text(image["url"]);
            if (kind is { Length: > 0 } && url is { Length: > 0 })
            {
                ((JsonArray)(byKind[kind] ??= new JsonArray())).Add(url);
            }
        }

        return byKind.Count > 0 ? byKind : null;
    }
}

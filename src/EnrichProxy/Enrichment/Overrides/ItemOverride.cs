using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace EnrichProxy.Enrichment.Overrides;

/// <summary>
/// What the operator says of one item: fields that replace what the library or the external APIs say,
/// and fields they do not have at all. The internal tier of the priority chain; it wins over every other.
/// </summary>
/// <param name="Item">The item.</param>
/// <param name="Fields">Field name to JSON value, as the enrichment document names its fields.</param>
/// <param name="UpdatedAt">When it was last written.</param>
internal sealed partial record ItemOverride(ItemKey Item, JsonObject Fields, DateTimeOffset UpdatedAt)
{
    public const int MaxFields = 100;
    public const int MaxBodyBytes = 64 * 1024;

    // Worked out by the proxy for each answer: an override could only make them lie.
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase) { "sources", "complete", "library" };

    /// <summary>Why <paramref name="fields"/> cannot be an override, or null when it can.</summary>
    public static string? Problem(JsonObject fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        if (fields.Count == 0)
        {
            return "An override needs at least one field; DELETE removes one.";
        }

        if (fields.Count > MaxFields)
        {
            return $"An override has at most {MaxFields} fields.";
        }

        foreach (var (name, _) in fields)
        {
            if (!FieldName().IsMatch(name))
            {
                return $"'{Truncate(name)}' is not a field name: a letter, then letters, digits or underscores, 64 at most.";
            }

            if (Reserved.Contains(name))
            {
                return $"'{name}' is worked out by the proxy for every answer and cannot be overridden.";
            }
        }

        return null;
    }

    private static string Truncate(string name) => name.Length <= 64 ? name : name[..64] + "...";

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]{0,63}$")]
    private static partial Regex FieldName();
}

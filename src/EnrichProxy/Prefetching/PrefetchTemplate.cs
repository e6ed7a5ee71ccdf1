using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace EnrichProxy.Prefetching;

/// <summary>
/// A prefetch rule of a policy (<c>Prefetch</c>): a path of the proxy's own routes whose placeholders are
/// read from the JSON answer that triggers it. <c>{belongs_to_collection.id}</c> follows properties;
/// <c>{seasons[].season_number}</c> fans out over an array, one path per element; <c>{?language,page}</c>
/// copies those query parameters, when present, from the request that was answered. A placeholder whose
/// value is missing, empty, or not a string or number produces no path.
/// </summary>
internal sealed class PrefetchTemplate
{
    // Literal text, JSON placeholders and query copies, in order.
    private readonly Part[] _parts;

    private PrefetchTemplate(string text, Part[] parts)
    {
        Text = text;
        _parts = parts;
    }

    public string Text { get; }

    /// <summary>Parses a rule.</summary>
    /// <exception cref="FormatException">The rule is not a path, or has an unclosed, empty or malformed placeholder.</exception>
    public static PrefetchTemplate Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text) || text[0] != '/')
        {
            throw new FormatException($"Prefetch rule '{text}' must be a path of the proxy's routes, starting with '/'.");
        }

        var parts = new List<Part>();
        var rest = text.AsSpan();
        while (!rest.IsEmpty)
        {
            var open = rest.IndexOf('{');
            var literal = open < 0 ? rest : rest[..open];
            if (literal.Contains('}'))
            {
                throw new FormatException($"Prefetch rule '{text}' has a '}}' without its '{{'.");
            }

            if (!literal.IsEmpty)
            {
                parts.Add(new Part(PartKind.Literal, literal.ToString(), []));
            }

            if (open < 0)
            {
                break;
            }

            var close = rest[open..].IndexOf('}');
            var inside = close < 0 ? default : rest.Slice(open + 1, close - 1);
            if (close < 0 || inside.IsEmpty || inside.Contains('{'))
            {
                throw new FormatException($"Prefetch rule '{text}' has an unclosed or empty placeholder.");
            }

            parts.Add(inside[0] == '?' ? QueryCopy(text, inside[1..].ToString()) : JsonPath(text, inside.ToString()));
            rest = rest[(open + close + 1)..];
        }

        return new PrefetchTemplate(text, [.. parts]);
    }

    /// <summary>
    /// The paths (with their query) this rule names in <paramref name="answer"/>, at most <paramref name="limit"/>.
    /// </summary>
    /// <param name="answer">The JSON answer that triggers the rule.</param>
    /// <param name="query">The query string of the request that was answered, for <c>{?name}</c>.</param>
    /// <param name="isLeftOut">Query parameters never copied (credentials).</param>
    /// <param name="limit">The most paths to produce.</param>
    public IReadOnlyList<string> Expand(JsonElement answer, string query, Func<string, bool> isLeftOut, int limit)
    {
        ArgumentNullException.ThrowIfNull(isLeftOut);
        var results = new List<string>();
        Dictionary<string, Microsoft.Extensions.Primitives.StringValues>? parsedQuery = null;
        Expand(0, new StringBuilder(Text.Length + 32), answer, ref parsedQuery, query, isLeftOut, limit, results);
        return results;
    }

    private void Expand(
        int index, StringBuilder built, JsonElement answer, ref Dictionary<string, Microsoft.Extensions.Primitives.StringValues>? parsedQuery,
        string query, Func<string, bool> isLeftOut, int limit, List<string> results)
    {
        if (results.Count >= limit)
        {
            return;
        }

        if (index == _parts.Length)
        {
            results.Add(built.ToString());
            return;
        }

        var part = _parts[index];
        var length = built.Length;
        switch (part.Kind)
        {
            case PartKind.Literal:
                built.Append(part.Text);
                Expand(index + 1, built, answer, ref parsedQuery, query, isLeftOut, limit, results);
                break;
            case PartKind.QueryCopy:
                parsedQuery ??= QueryHelpers.ParseQuery(query);
                foreach (var name in part.Names)
                {
                    if (!isLeftOut(name) && parsedQuery.TryGetValue(name, out var values))
                    {
                        foreach (var value in values)
                        {
                            built.Append(built.ToString().Contains('?', StringComparison.Ordinal) ? '&' : '?')
                                .Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value ?? string.Empty));
                        }
                    }
                }

                Expand(index + 1, built, answer, ref parsedQuery, query, isLeftOut, limit, results);
                break;
            default:
                foreach (var value in Values(answer, part.Names))
                {
                    built.Length = length;
                    built.Append(value);
                    Expand(index + 1, built, answer, ref parsedQuery, query, isLeftOut, limit, results);
                    if (results.Count >= limit)
                    {
                        break;
                    }
                }

                break;
        }

        built.Length = length;
    }

    // The values at a path of property names, where a name ending in [] fans out over its array.
    private static IEnumerable<string> Values(JsonElement answer, string[] path)
    {
        IEnumerable<JsonElement> current = [answer];
        foreach (var step in path)
        {
            var fansOut = step.EndsWith("[]", StringComparison.Ordinal);
            var name = fansOut ? step[..^2] : step;
            current = current.SelectMany(element => Step(element, name, fansOut));
        }

        return current.Select(ValueText).OfType<string>();
    }

    private static JsonElement[] Step(JsonElement element, string name, bool fansOut)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out var value))
        {
            return [];
        }

        if (!fansOut)
        {
            return [value];
        }

        return value.ValueKind == JsonValueKind.Array ? [.. value.EnumerateArray()] : [];
    }

    private static string? ValueText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String when value.GetString() is { Length: > 0 } text => Uri.EscapeDataString(text),
        JsonValueKind.Number => value.GetRawText(),
        _ => null,
    };

    private static Part JsonPath(string text, string inside)
    {
        var steps = inside.Split('.');
        foreach (var step in steps)
        {
            var name = step.EndsWith("[]", StringComparison.Ordinal) ? step[..^2] : step;
            if (name.Length == 0 || name.AsSpan().ContainsAny("[]?/ "))
            {
                throw new FormatException(string.Create(CultureInfo.InvariantCulture,
                    $"Prefetch rule '{text}' has the malformed placeholder '{{{inside}}}': use property names separated by '.', with '[]' after an array's."));
            }
        }

        return new Part(PartKind.Json, inside, steps);
    }

    private static Part QueryCopy(string text, string names)
    {
        var list = names.Split(',', StringSplitOptions.TrimEntries);
        if (list.Any(name => name.Length == 0))
        {
            throw new FormatException($"Prefetch rule '{text}' has an empty name in '{{?{names}}}'.");
        }

        return new Part(PartKind.QueryCopy, names, list);
    }

    private enum PartKind
    {
        Literal,
        Json,
        QueryCopy,
    }

    private sealed record Part(PartKind Kind, string Text, string[] Names);
}

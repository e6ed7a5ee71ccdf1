using System.Text;

namespace EnrichProxy.Caching.Purging;

/// <summary>
/// A tag declared per policy (<c>Tags</c>) or per route (<c>Metadata:CacheTags</c>), such as
/// <c>tmdb:movie:{id}</c>: the route values fill the placeholders. A route without one of the values
/// gives no tag, so a policy shared by several routes tags only the answers its templates fit.
/// </summary>
internal sealed class TagTemplate
{
    private readonly string[] _parts;

    private TagTemplate(string text, string[] parts)
    {
        Text = text;
        _parts = parts;
    }

    public string Text { get; }

    /// <summary>Parses <paramref name="text"/>; literal text and <c>{name}</c> placeholders alternate.</summary>
    /// <exception cref="FormatException">Unbalanced or empty braces.</exception>
    public static TagTemplate Parse(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        var parts = new List<string>();
        var rest = text.AsSpan();
        while (!rest.IsEmpty)
        {
            var open = rest.IndexOf('{');
            var literal = open < 0 ? rest : rest[..open];
            if (literal.Contains('}'))
            {
                throw new FormatException($"Tag template '{text}' has a '}}' without its '{{'.");
            }

            parts.Add(literal.ToString());
            if (open < 0)
            {
                break;
            }

            var close = rest[open..].IndexOf('}');
            var name = close < 0 ? default : rest.Slice(open + 1, close - 1);
            if (close < 0 || name.IsEmpty || name.Contains('{'))
            {
                throw new FormatException($"Tag template '{text}' has an unclosed or empty placeholder.");
            }

            parts.Add(name.ToString());
            rest = rest[(open + close + 1)..];
        }

        return new TagTemplate(text, [.. parts]);
    }

    /// <summary>The tag for these route values, or null when one of the placeholders has no value.</summary>
    public string? Resolve(IReadOnlyDictionary<string, object?>? routeValues)
    {
        var tag = new StringBuilder(Text.Length + 16);
        for (var i = 0; i < _parts.Length; i++)
        {
            if (i % 2 == 0)
            {
                tag.Append(_parts[i]);
                continue;
            }

            if (routeValues is null || !routeValues.TryGetValue(_parts[i], out var value) || value?.ToString() is not { Length: > 0 } text)
            {
                return null;
            }

            // /tmdb/3/movie/0642 answers what /tmdb/3/movie/642 does, and a purge of tmdb:movie:642 must cover it.
            tag.Append(PurgeSpelling.Number(text));
        }

        return tag.ToString();
    }
}

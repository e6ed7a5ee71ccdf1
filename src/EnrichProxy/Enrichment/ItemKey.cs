using System.Globalization;

namespace EnrichProxy.Enrichment;

/// <summary>
/// One item: a movie by TMDb id, a series by TheTVDB id, an artist by MusicBrainz id (MBID).
/// Ids are checked and written one way only, so the same item is never stored under two spellings.
/// </summary>
internal readonly record struct ItemKey(ItemKind Kind, string Id)
{
    /// <summary>The kind's name in paths: <c>movies</c>.</summary>
    public static string KindName(ItemKind kind) => ItemKinds.Of(kind).Name;

    public static bool TryParseKind(string? text, out ItemKind kind)
    {
        var found = ItemKinds.Named(text);
        kind = found?.Kind ?? default;
        return found is not null;
    }

    /// <summary>An id of the kind's format (<see cref="ItemKindDefinition.IdFormat"/>), written the one way it is stored.</summary>
    public static bool TryParse(ItemKind kind, string? id, out ItemKey key)
    {
        key = default;
        if (ItemKinds.Of(kind).IdFormat == ItemIdFormat.Mbid)
        {
            if (!Guid.TryParseExact(id, "D", out var mbid))
            {
                return false;
            }

            key = new ItemKey(kind, mbid.ToString("D"));
            return true;
        }

        if (!int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number <= 0)
        {
            return false;
        }

        key = new ItemKey(kind, number.ToString(CultureInfo.InvariantCulture));
        return true;
    }

    /// <summary>What a valid id looks like, for error messages.</summary>
    public static string IdDescription(ItemKind kind) => ItemKinds.Of(kind).IdDescription;

    public override string ToString() => $"{KindName(Kind)}/{Id}";
}

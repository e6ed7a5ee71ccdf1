using System.Globalization;

namespace EnrichProxy.Enrichment.Overrides;

/// <summary>The kinds of item the enrichment API serves, named as in its paths.</summary>
internal enum ItemKind
{
    Movies,
    Series,
    Artists,
}

/// <summary>
/// One item: a movie by TMDb id, a series by TheTVDB id, an artist by MusicBrainz id (MBID).
/// Ids are checked and written one way only, so the same item is never stored under two spellings.
/// </summary>
internal readonly record struct ItemKey(ItemKind Kind, string Id)
{
    public static string KindName(ItemKind kind) => kind switch
    {
        ItemKind.Movies => "movies",
        ItemKind.Series => "series",
        _ => "artists",
    };

    public static bool TryParseKind(string? text, out ItemKind kind)
    {
        switch (text?.ToLowerInvariant())
        {
            case "movies":
                kind = ItemKind.Movies;
                return true;
            case "series":
                kind = ItemKind.Series;
                return true;
            case "artists":
                kind = ItemKind.Artists;
                return true;
            default:
                kind = default;
                return false;
        }
    }

    /// <summary>A positive TMDb or TheTVDB id, or an MBID (a GUID, written lower-case with hyphens).</summary>
    public static bool TryParse(ItemKind kind, string? id, out ItemKey key)
    {
        key = default;
        if (kind is ItemKind.Artists)
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
    public static string IdDescription(ItemKind kind) => kind switch
    {
        ItemKind.Movies => "a TMDb movie id (a positive integer)",
        ItemKind.Series => "a TheTVDB series id (a positive integer)",
        _ => "a MusicBrainz artist id (an MBID such as b8a7c51f-362c-4dcb-a259-bc6e0095f0a6)",
    };

    public override string ToString() => $"{KindName(Kind)}/{Id}";
}

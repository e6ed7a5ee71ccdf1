namespace EnrichProxy.Caching.Purging;

/// <summary>
/// One spelling for what a purge names, so that another spelling of the same thing cannot dodge it: a number written
/// with leading zeros or a plus sign (<c>{id:int}</c> accepts <c>0642</c> and <c>+642</c>) as it is without them, and a
/// URL's path in lower case (the Arr APIs ignore case; for an upstream that does not, a purge then covers a little
/// more than asked, never less).
/// </summary>
internal static class PurgeSpelling
{
    /// <summary><c>0642</c> and <c>+642</c> as <c>642</c>; anything that is not a whole number as it is.</summary>
    public static string Number(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var digits = value.StartsWith('+') ? value.AsSpan(1) : value.AsSpan();
        if (digits.IsEmpty || digits.ContainsAnyExceptInRange('0', '9') || (digits.Length == value.Length && digits[0] != '0'))
        {
            return value;
        }

        var trimmed = digits.TrimStart('0');
        return trimmed.IsEmpty ? "0" : trimmed.ToString();
    }

    /// <summary>A path in lower case, each segment that is a whole number without leading zeros or sign.</summary>
    public static string Path(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var segments = path.ToLowerInvariant().Split('/');
        for (var i = 0; i < segments.Length; i++)
        {
            segments[i] = Number(segments[i]);
        }

        return string.Join('/', segments);
    }
}

using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace EnrichProxy.Caching.Http;

/// <summary>
/// The byte range a client asks for, within a stored body of a known length (RFC 9110 14.1.2). One range is
/// answered; several are answered with the whole body, as a server may (14.2), which is what image readers get on.
/// </summary>
internal static class ByteRanges
{
    public static Selection Select(StringValues field, long length)
    {
        if (!RangeHeaderValue.TryParse(field.ToString(), out var range)
            || !range.Unit.Equals("bytes", StringComparison.OrdinalIgnoreCase)
            || range.Ranges.Count != 1)
        {
            return Selection.Full; // Not a byte range this cache understands: ignored, as RFC 9110 allows.
        }

        var item = range.Ranges.First();
        if (item.From is { } from)
        {
            if (from >= length)
            {
                return new Selection(SelectionKind.RangeNotSatisfiable);
            }

            var last = item.To is { } to && to < length ? to : length - 1;
            return new Selection(SelectionKind.Partial, from, last - from + 1);
        }

        // A suffix: the last N bytes.
        if (item.To is not { } suffix || suffix == 0 || length == 0)
        {
            return new Selection(SelectionKind.RangeNotSatisfiable);
        }

        var start = Math.Max(0, length - suffix);
        return new Selection(SelectionKind.Partial, start, length - start);
    }
}

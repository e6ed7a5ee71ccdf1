using System.Text;

namespace EnrichProxy.Telemetry;

/// <summary>
/// Text a client chose, made safe for a log line: control characters (a line break that would forge the next line,
/// an escape sequence for a terminal) written as <c>\uXXXX</c>, and the length cut to <see cref="MaxLength"/>.
/// </summary>
internal static class LogText
{
    public const int MaxLength = 200;

    public static string Printable(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var shown = text.Length > MaxLength ? text.AsSpan(0, MaxLength) : text.AsSpan();
        if (shown.Length == text.Length && !HasControl(shown))
        {
            return text;
        }

        var printable = new StringBuilder(shown.Length + 16);
        foreach (var c in shown)
        {
            if (char.IsControl(c))
            {
                printable.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                printable.Append(c);
            }
        }

        if (text.Length > MaxLength)
        {
            printable.Append("… (").Append(text.Length - MaxLength).Append(" more characters)");
        }

        return printable.ToString();
    }

    private static bool HasControl(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (char.IsControl(c))
            {
                return true;
            }
        }

        return false;
    }
}

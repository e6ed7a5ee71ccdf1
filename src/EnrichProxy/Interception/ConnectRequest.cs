using System.Buffers;
using System.Text;

namespace EnrichProxy.Interception;

/// <summary>A <c>CONNECT host:port</c> request's head, as the forward proxy reads it before Kestrel sees the connection.</summary>
/// <param name="Host">The target host, lower-case, without brackets for an IPv6 literal.</param>
/// <param name="Port">The target port.</param>
/// <param name="ProxyAuthorization">The <c>Proxy-Authorization</c> header, if sent.</param>
internal sealed record ConnectRequest(string Host, int Port, string? ProxyAuthorization)
{
    /// <summary>The most a CONNECT head may take; a longer one is refused.</summary>
    public const int MaxHeadBytes = 16 * 1024;

    private static ReadOnlySpan<byte> HeadEnd => "\r\n\r\n"u8;

    /// <summary>The method that starts a CONNECT request, with its space.</summary>
    public static ReadOnlySpan<byte> Method => "CONNECT "u8;

    /// <summary>Whether <paramref name="buffer"/> starts like a CONNECT request (it holds at least <see cref="Method"/>'s length).</summary>
    public static bool StartsWithConnect(ReadOnlySequence<byte> buffer)
    {
        Span<byte> start = stackalloc byte[Method.Length];
        if (buffer.Length < start.Length)
        {
            return false;
        }

        buffer.Slice(0, start.Length).CopyTo(start);
        return start.SequenceEqual(Method);
    }

    /// <summary>Finds the end of the request head (the blank line), returning the position after it.</summary>
    public static bool TryFindHeadEnd(ReadOnlySequence<byte> buffer, out SequencePosition afterHead, out ReadOnlySequence<byte> head)
    {
        var reader = new SequenceReader<byte>(buffer);
        if (reader.TryReadTo(out head, HeadEnd, advancePastDelimiter: true))
        {
            afterHead = reader.Position;
            return true;
        }

        afterHead = default;
        return false;
    }

    /// <summary>Parses the head (without its blank line), or returns null when it is not a well-formed CONNECT to a host and port.</summary>
    public static ConnectRequest? Parse(ReadOnlySequence<byte> head)
    {
        var text = Encoding.Latin1.GetString(head);
        var lines = text.Split("\r\n");
        var parts = lines[0].Split(' ');
        if (parts is not ["CONNECT", var target, var version] || !version.StartsWith("HTTP/1.", StringComparison.Ordinal)
            || !TryParseAuthority(target, out var host, out var port))
        {
            return null;
        }

        string? authorization = null;
        foreach (var line in lines.AsSpan(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line.AsSpan(0, colon).Trim().Equals("Proxy-Authorization", StringComparison.OrdinalIgnoreCase))
            {
                authorization = line[(colon + 1)..].Trim();
            }
        }

        return new ConnectRequest(host, port, authorization);
    }

    // host:port or [v6]:port; the port is required (RFC 9110 9.3.6).
    private static bool TryParseAuthority(string authority, out string host, out int port)
    {
        host = string.Empty;
        port = 0;
        var colon = authority.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(authority.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out port)
            || port is < 1 or > 65535)
        {
            return false;
        }

        var name = authority[..colon];
        if (name.StartsWith('[') && name.EndsWith(']'))
        {
            name = name[1..^1];
        }

        host = InterceptedHosts.Normalize(name);
        return Uri.CheckHostName(host) != UriHostNameType.Unknown;
    }
}

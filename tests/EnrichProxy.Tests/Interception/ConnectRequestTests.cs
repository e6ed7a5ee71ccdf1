using System.Buffers;
using System.Text;
using EnrichProxy.Interception;

namespace EnrichProxy.Tests.Interception;

public sealed class ConnectRequestTests
{
    [Fact]
    public void Parse_RadarrsConnect_ReadsTheHostPortAndProxyCredentials()
    {
        var request = ConnectRequest.Parse(Head("CONNECT API.Radarr.Video.:443 HTTP/1.1\r\nHost: api.radarr.video:443\r\nproxy-authorization:  Basic dTpw \r\n"));

        Assert.Equal(new ConnectRequest("api.radarr.video", 443, "Basic dTpw"), request);
    }

    [Fact]
    public void Parse_AnIpv6Authority_DropsTheBrackets()
    {
        var request = ConnectRequest.Parse(Head("CONNECT [::1]:8443 HTTP/1.0\r\n"));

        Assert.Equal(new ConnectRequest("::1", 8443, null), request);
    }

    [Theory]
    [InlineData("CONNECT api.radarr.video HTTP/1.1")] // the port is required
    [InlineData("CONNECT api.radarr.video:0 HTTP/1.1")]
    [InlineData("CONNECT api.radarr.video:65536 HTTP/1.1")]
    [InlineData("CONNECT api.radarr.video:+443 HTTP/1.1")]
    [InlineData("CONNECT :443 HTTP/1.1")]
    [InlineData("CONNECT bad_host!:443 HTTP/1.1")]
    [InlineData("CONNECT api.radarr.video:443 HTTP/2")]
    [InlineData("CONNECT api.radarr.video:443")]
    [InlineData("CONNECT  api.radarr.video:443 HTTP/1.1")]
    [InlineData("GET http://api.radarr.video/ HTTP/1.1")]
    public void Parse_AMalformedRequestLine_IsNull(string line)
    {
        Assert.Null(ConnectRequest.Parse(Head(line + "\r\n")));
    }

    [Theory]
    [InlineData("CONNECT a:443", true)]
    [InlineData("CONNEC", false)]
    [InlineData("GET / HTTP/1.1", false)]
    [InlineData("connect a:443", false)] // methods are case-sensitive
    public void StartsWithConnect_LooksOnlyAtTheMethod(string start, bool expected)
    {
        Assert.Equal(expected, ConnectRequest.StartsWithConnect(Split(start)));
    }

    [Fact]
    public void TryFindHeadEnd_AcrossSegments_FindsTheBlankLineAndWhatFollows()
    {
        var buffer = Split("CONNECT a:443 HTTP/1.1\r\nHost: a\r\n\r\n\u0016\u0003\u0001");

        Assert.True(ConnectRequest.TryFindHeadEnd(buffer, out var afterHead, out var head));
        Assert.Equal("CONNECT a:443 HTTP/1.1\r\nHost: a", Encoding.Latin1.GetString(head));
        Assert.Equal(3, buffer.Slice(afterHead).Length); // the client's TLS hello, left for the handshake
    }

    [Fact]
    public void TryFindHeadEnd_BeforeTheBlankLine_IsFalse()
    {
        Assert.False(ConnectRequest.TryFindHeadEnd(Split("CONNECT a:443 HTTP/1.1\r\nHost: a\r\n"), out _, out _));
    }

    private static ReadOnlySequence<byte> Head(string text) => new(Encoding.Latin1.GetBytes(text.TrimEnd('\r', '\n')));

    // One segment per byte: the parser must not assume the head arrives in one read.
    private static ReadOnlySequence<byte> Split(string text)
    {
        var bytes = Encoding.Latin1.GetBytes(text);
        if (bytes.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var first = new Segment(bytes.AsMemory(0, 1), 0);
        var last = first;
        for (var i = 1; i < bytes.Length; i++)
        {
            last = last.Append(bytes.AsMemory(i, 1));
        }

        return new ReadOnlySequence<byte>(first, 0, last, 1);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}

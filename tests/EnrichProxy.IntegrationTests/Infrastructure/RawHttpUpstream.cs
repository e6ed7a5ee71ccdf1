using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EnrichProxy.IntegrationTests.Infrastructure;

/// <summary>
/// An HTTP/1.1 upstream on a loopback port that answers every request with exactly the bytes it is given (no
/// framework to add, strip or re-encode headers): for answers WireMock will not send as they are, such as a body
/// compressed without being asked to.
/// </summary>
internal sealed class RawHttpUpstream : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly byte[] _answer;
    private readonly Task _accepting;
    private readonly List<string> _requests = [];

    public RawHttpUpstream(int status, IEnumerable<(string Name, string Value)> headers, byte[] body)
    {
        var head = new StringBuilder($"HTTP/1.1 {status} Status\r\n");
        foreach (var (name, value) in headers)
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        head.Append("Content-Length: ").Append(body.Length).Append("\r\nConnection: close\r\n\r\n");
        _answer = [.. Encoding.ASCII.GetBytes(head.ToString()), .. body];
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/";

    /// <summary>The request heads received (request line and headers).</summary>
    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            using var client = await _listener.AcceptTcpClientAsync();
            var stream = client.GetStream();
            var head = new StringBuilder();
            var buffer = new byte[4096];
            while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var read = await stream.ReadAsync(buffer);
                if (read == 0)
                {
                    break;
                }

                head.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            lock (_requests)
            {
                _requests.Add(head.ToString());
            }

            await stream.WriteAsync(_answer);
        }
    }
}

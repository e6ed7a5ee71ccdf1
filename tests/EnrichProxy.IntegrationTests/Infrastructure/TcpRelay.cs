using System.Net;
using System.Net.Sockets;

namespace EnrichProxy.IntegrationTests.Infrastructure;

/// <summary>
/// A TCP relay in front of a server, which a test can cut (every connection closed, new ones refused) and restore:
/// one instance's link to a shared Redis going down while the others keep theirs.
/// </summary>
internal sealed class TcpRelay : IAsyncDisposable
{
    private readonly int _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _open = [];
    private TcpListener? _listener;
    private Task _accepting = Task.CompletedTask;
    private bool _cut;

    public TcpRelay(int targetPort)
    {
        _target = targetPort;
        Port = RedisServer.FreePort();
        Restore();
    }

    public int Port { get; }

    /// <summary>Closes every relayed connection and stops listening: connections to <see cref="Port"/> are refused.</summary>
    public void Cut()
    {
        _listener?.Stop();
        _listener = null;
        lock (_open)
        {
            _cut = true;
            foreach (var client in _open)
            {
                client.Dispose();
            }

            _open.Clear();
        }
    }

    /// <summary>Listens again.</summary>
    public void Restore()
    {
        lock (_open)
        {
            _cut = false;
        }

        var listener = new TcpListener(IPAddress.Loopback, Port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        _listener = listener;
        _accepting = AcceptAsync(listener);
    }

    private async Task AcceptAsync(TcpListener listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception exception) when (exception is SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
            {
                return; // Cut or disposed.
            }

            var outbound = new TcpClient();
            try
            {
                await outbound.ConnectAsync(IPAddress.Loopback, _target);
            }
            catch (SocketException)
            {
                inbound.Dispose();
                outbound.Dispose();
                continue;
            }

            lock (_open)
            {
                if (_cut)
                {
                    // Accepted just before the cut: it goes too.
                    inbound.Dispose();
                    outbound.Dispose();
                    continue;
                }

                _open.Add(inbound);
                _open.Add(outbound);
            }

            _ = PumpAsync(inbound, outbound);
            _ = PumpAsync(outbound, inbound);
        }
    }

    private static async Task PumpAsync(TcpClient from, TcpClient to)
    {
        try
        {
            await from.GetStream().CopyToAsync(to.GetStream());
        }
        catch (Exception exception) when (exception is IOException or ObjectDisposedException or SocketException or InvalidOperationException)
        {
            // The other side or a cut closed it.
        }
        finally
        {
            from.Dispose();
            to.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        Cut();
        await _accepting;
        _stop.Dispose();
    }
}

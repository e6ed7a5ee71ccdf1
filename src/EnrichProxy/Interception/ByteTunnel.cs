using System.IO.Pipelines;
using System.Net.Sockets;

namespace EnrichProxy.Interception;

/// <summary>
/// Passes bytes both ways between a client's connection and a host, untouched, until both sides are done or
/// nothing moved for the idle timeout. Each side's end is passed on (half-close), as TLS close-notify needs.
/// </summary>
internal static class ByteTunnel
{
    private const int ChunkBytes = 16 * 1024;

    public static async Task RunAsync(IDuplexPipe client, Socket host, TimeSpan idleTimeout, TimeProvider time, InterceptionMetrics metrics, CancellationToken closed)
    {
        using var idle = new CancellationTokenSource(idleTimeout, time);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(idle.Token, closed);
        var token = stop.Token;
        var toHost = ClientToHostAsync(client.Input, host, bytes => Moved(idle, idleTimeout, metrics.Sent, bytes), token);
        var toClient = HostToClientAsync(host, client.Output, bytes => Moved(idle, idleTimeout, metrics.Received, bytes), token);
        try
        {
            // The first side to fail ends both; a side that simply finished leaves the other running.
            var first = await Task.WhenAny(toHost, toClient);
            if (first.IsFaulted || first.IsCanceled)
            {
                await stop.CancelAsync();
            }

            await Task.WhenAll(toHost, toClient);
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
            // Idle, closed by either side, or the proxy stopping: the tunnel is over either way.
        }
    }

    private static void Moved(CancellationTokenSource idle, TimeSpan idleTimeout, Action<int> count, int bytes)
    {
        count(bytes);
        idle.CancelAfter(idleTimeout); // Every byte moved starts the idle period again.
    }

    private static async Task ClientToHostAsync(PipeReader client, Socket host, Action<int> moved, CancellationToken token)
    {
        while (true)
        {
            var read = await client.ReadAsync(token);
            foreach (var segment in read.Buffer)
            {
                var sent = 0;
                while (sent < segment.Length)
                {
                    sent += await host.SendAsync(segment[sent..], SocketFlags.None, token);
                }

                moved(segment.Length);
            }

            client.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted || read.IsCanceled)
            {
                break;
            }
        }

        host.Shutdown(SocketShutdown.Send);
    }

    private static async Task HostToClientAsync(Socket host, PipeWriter client, Action<int> moved, CancellationToken token)
    {
        while (true)
        {
            var memory = client.GetMemory(ChunkBytes);
            var received = await host.ReceiveAsync(memory, SocketFlags.None, token);
            if (received == 0)
            {
                break;
            }

            client.Advance(received);
            moved(received);
            var flushed = await client.FlushAsync(token);
            if (flushed.IsCompleted)
            {
                return; // The client is gone.
            }
        }

        await client.CompleteAsync();
    }
}

using System.Text;
using EnrichProxy.Upstreams;

namespace EnrichProxy.Tests.Upstreams;

public sealed class RedactingCopyTests
{
    private const string Secret = "0123456789abcdef0123456789abcdef";

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(4096)]
    public async Task CopyAsync_SecretSplitAcrossReads_IsMaskedToTheSameLength(int readSize)
    {
        var text = $"head {Secret} middle {Secret}{Secret} 0123 tail {Secret}";

        var copied = await CopyAsync(text, readSize);

        Assert.DoesNotContain(Secret, copied, StringComparison.Ordinal);
        Assert.Equal(text.Length, copied.Length);
        Assert.Equal(text.Replace(Secret, "[REDACTED]" + new string('*', Secret.Length - 10), StringComparison.Ordinal), copied);
    }

    [Fact]
    public async Task CopyAsync_AnEndThatOnlyLooksLikeTheSecretsStart_IsWrittenInFull()
    {
        const string Text = "ends with the start of the key: 0123456789";

        Assert.Equal(Text, await CopyAsync(Text, readSize: 7));
    }

    [Fact]
    public async Task CopyAsync_ChunksWithoutTheSecretsStart_AreWrittenAtOnce()
    {
        // A stream of events must not be held back: nothing of a chunk that cannot begin the key waits for the next.
        var copy = new RedactingCopy(Secret);
        using var source = new ReadOnceThenWaitStream(Encoding.UTF8.GetBytes("data: event 1\n\n"));
        using var destination = new MemoryStream();

        var copying = copy.CopyAsync(source, destination, CancellationToken.None);
        await source.FirstReadDone.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("data: event 1\n\n", Encoding.UTF8.GetString(destination.ToArray()));
        source.End();
        await copying.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Theory]
    [InlineData(32, "[REDACTED]**********************")]
    [InlineData(10, "[REDACTED]")]
    [InlineData(4, "****")]
    public void MaskFor_KeepsTheSecretsLength(int length, string expected) =>
        Assert.Equal(expected, Encoding.ASCII.GetString(RedactingCopy.MaskFor(length)));

    private static async Task<string> CopyAsync(string text, int readSize)
    {
        using var source = new TrickleStream(Encoding.UTF8.GetBytes(text), readSize);
        using var destination = new MemoryStream();
        await new RedactingCopy(Secret).CopyAsync(source, destination, CancellationToken.None);
        return Encoding.UTF8.GetString(destination.ToArray());
    }

    /// <summary>Gives at most <c>readSize</c> bytes per read, as a slow network does.</summary>
    private sealed class TrickleStream(byte[] data, int readSize) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, readSize)], cancellationToken);
    }

    /// <summary>One chunk, then a read that waits until <see cref="End"/>: an event stream between two events.</summary>
    private sealed class ReadOnceThenWaitStream(byte[] first) : MemoryStream
    {
        private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private bool _gaveFirst;

        public TaskCompletionSource FirstReadDone { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void End() => _ended.TrySetResult();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!_gaveFirst)
            {
                _gaveFirst = true;
                first.CopyTo(buffer);
                return first.Length;
            }

            // The copy asks for more only after it has written what it had.
            FirstReadDone.TrySetResult();
            await _ended.Task.WaitAsync(cancellationToken);
            return 0;
        }
    }
}

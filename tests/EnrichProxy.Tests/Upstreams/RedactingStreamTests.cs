using System.Text;
using EnrichProxy.Upstreams;

namespace EnrichProxy.Tests.Upstreams;

public sealed class RedactingStreamTests
{
    private const string Secret = "0123456789abcdef0123456789abcdef";

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(4096)]
    public async Task Read_SecretSplitAcrossReads_IsMaskedToTheSameLength(int readSize)
    {
        var text = $"head {Secret} middle {Secret}{Secret} 0123 tail {Secret}";

        var copied = await CopyAsync(text, readSize);

        Assert.DoesNotContain(Secret, copied, StringComparison.Ordinal);
        Assert.Equal(text.Length, copied.Length);
        Assert.Equal(text.Replace(Secret, "[REDACTED]" + new string('*', Secret.Length - 10), StringComparison.Ordinal), copied);
    }

    [Fact]
    public async Task Read_AnEndThatOnlyLooksLikeTheSecretsStart_IsReadInFull()
    {
        const string Text = "ends with the start of the key: 0123456789";

        Assert.Equal(Text, await CopyAsync(Text, readSize: 7));
    }

    [Fact]
    public void Read_Synchronously_MasksAsWell()
    {
        using var source = new TrickleStream(Encoding.UTF8.GetBytes($"a {Secret} b"), 5);
        using var redacting = new RedactingStream(source, Secret);
        using var reader = new StreamReader(redacting);

        Assert.Equal($"a [REDACTED]{new string('*', 22)} b", reader.ReadToEnd());
    }

    [Fact]
    public async Task Read_AChunkThatCannotBeginTheSecret_IsGivenAtOnce()
    {
        // A stream of events must not be held back: nothing of a chunk that cannot begin the key waits for the next.
        using var source = new ReadOnceThenWaitStream(Encoding.UTF8.GetBytes("data: event 1\n\n"));
        using var redacting = new RedactingStream(source, Secret);
        var buffer = new byte[1024];

        var read = await redacting.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("data: event 1\n\n", Encoding.UTF8.GetString(buffer, 0, read));
        source.End();
        Assert.Equal(0, await redacting.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Theory]
    [InlineData(32, "[REDACTED]**********************")]
    [InlineData(10, "[REDACTED]")]
    [InlineData(4, "****")]
    public void MaskFor_KeepsTheSecretsLength(int length, string expected) =>
        Assert.Equal(expected, Encoding.ASCII.GetString(RedactingStream.MaskFor(length)));

    private static async Task<string> CopyAsync(string text, int readSize)
    {
        using var source = new TrickleStream(Encoding.UTF8.GetBytes(text), readSize);
        await using var redacting = new RedactingStream(source, Secret);
        using var destination = new MemoryStream();
        await redacting.CopyToAsync(destination);
        return Encoding.UTF8.GetString(destination.ToArray());
    }

    /// <summary>Gives at most <c>readSize</c> bytes per read, as a slow network does.</summary>
    private sealed class TrickleStream(byte[] data, int readSize) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, readSize)], cancellationToken);

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, readSize)]);
    }

    /// <summary>One chunk, then a read that waits until <see cref="End"/>: an event stream between two events.</summary>
    private sealed class ReadOnceThenWaitStream(byte[] first) : MemoryStream
    {
        private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private bool _gaveFirst;

        public void End() => _ended.TrySetResult();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!_gaveFirst)
            {
                _gaveFirst = true;
                first.CopyTo(buffer);
                return first.Length;
            }

            await _ended.Task.WaitAsync(cancellationToken);
            return 0;
        }
    }
}

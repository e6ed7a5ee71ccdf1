using System.Buffers;
using System.Text;

namespace EnrichProxy.Upstreams;

/// <summary>
/// Copies a body while replacing every occurrence of a secret with a mask of the same length, so an answer
/// keeps its <c>Content-Length</c> and streams as it arrives: only the bytes at the end of a chunk that could
/// begin the secret wait for the next chunk, so a stream of events is not held back.
/// </summary>
internal sealed class RedactingCopy
{
    private const int ChunkBytes = 16 * 1024;

    private readonly byte[] _secret;
    private readonly byte[] _mask;

    public RedactingCopy(string secret)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        _secret = Encoding.UTF8.GetBytes(secret);
        _mask = MaskFor(_secret.Length);
    }

    /// <summary>"[REDACTED]" padded with <c>*</c> to the secret's length (only asterisks for a shorter secret).</summary>
    public static byte[] MaskFor(int length)
    {
        var marker = SecretRedactor.Redacted;
        var mask = length >= marker.Length ? marker + new string('*', length - marker.Length) : new string('*', length);
        return Encoding.ASCII.GetBytes(mask);
    }

    public async Task CopyAsync(Stream source, Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        // Room for a chunk and the held-back start of a secret before it.
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes + _secret.Length);
        try
        {
            var held = 0;
            int read;
            while ((read = await source.ReadAsync(buffer.AsMemory(held, ChunkBytes), cancellationToken)) > 0)
            {
                var filled = held + read;
                Mask(buffer.AsSpan(0, filled));
                held = PossibleSecretStart(buffer.AsSpan(0, filled));
                await destination.WriteAsync(buffer.AsMemory(0, filled - held), cancellationToken);
                buffer.AsSpan(filled - held, held).CopyTo(buffer);
            }

            await destination.WriteAsync(buffer.AsMemory(0, held), cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Mask(Span<byte> data)
    {
        int found;
        var from = 0;
        while ((found = data[from..].IndexOf(_secret)) >= 0)
        {
            _mask.CopyTo(data[(from + found)..]);
            from += found + _secret.Length;
        }
    }

    // The length of the longest end of data that is the start of the secret (and so may go on in the next chunk).
    private int PossibleSecretStart(ReadOnlySpan<byte> data)
    {
        for (var length = Math.Min(_secret.Length - 1, data.Length); length > 0; length--)
        {
            if (data[^length..].SequenceEqual(_secret.AsSpan(0, length)))
            {
                return length;
            }
        }

        return 0;
    }
}

using System.Text;

namespace EnrichProxy.Upstreams;

/// <summary>
/// Reads a body with every occurrence of a secret replaced by a mask of the same length, so an answer keeps its
/// <c>Content-Length</c> and streams as it arrives: only the bytes at the end of a read that could begin the secret
/// wait for the next read, so a stream of events is not held back. YARP copies it to the client as it copies any
/// body (its activity timeout, its error handling).
/// </summary>
internal sealed class RedactingStream : Stream
{
    private const int ChunkBytes = 16 * 1024;

    private readonly Stream _source;
    private readonly byte[] _secret;
    private readonly byte[] _mask;
    private readonly byte[] _buffer;

    // _buffer[_start.._ready) is masked and may be read; _buffer[_ready.._end) may begin the secret and waits for more.
    private int _start;
    private int _ready;
    private int _end;
    private bool _ended;

    public RedactingStream(Stream source, string secret)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException.ThrowIfNullOrEmpty(secret);
        _source = source;
        _secret = Encoding.UTF8.GetBytes(secret);
        _mask = MaskFor(_secret.Length);
        _buffer = new byte[ChunkBytes + _secret.Length];
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>"[REDACTED]" padded with <c>*</c> to the secret's length (only asterisks for a shorter secret).</summary>
    public static byte[] MaskFor(int length)
    {
        var marker = SecretRedactor.Redacted;
        var mask = length >= marker.Length ? marker + new string('*', length - marker.Length) : new string('*', length);
        return Encoding.ASCII.GetBytes(mask);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_start == _ready && !_ended)
        {
            Received(await _source.ReadAsync(_buffer.AsMemory(Compact(), ChunkBytes), cancellationToken));
        }

        return Take(buffer.Span);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(Span<byte> buffer)
    {
        while (_start == _ready && !_ended)
        {
            Received(_source.Read(_buffer.AsSpan(Compact(), ChunkBytes)));
        }

        return Take(buffer);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _source.Dispose();
        }

        base.Dispose(disposing);
    }

    // Moves the bytes still held to the front; returns where the next read goes.
    private int Compact()
    {
        var held = _end - _ready;
        _buffer.AsSpan(_ready, held).CopyTo(_buffer);
        (_start, _ready, _end) = (0, 0, held);
        return held;
    }

    private void Received(int read)
    {
        if (read == 0)
        {
            // The end: what was held cannot begin a secret any more.
            _ended = true;
            _ready = _end;
            return;
        }

        _end += read;
        Mask(_buffer.AsSpan(0, _end));
        _ready = _end - PossibleSecretStart(_buffer.AsSpan(0, _end));
    }

    private int Take(Span<byte> destination)
    {
        var count = Math.Min(destination.Length, _ready - _start);
        _buffer.AsSpan(_start, count).CopyTo(destination);
        _start += count;
        return count;
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

    // The length of the longest end of data that is the start of the secret (and so may go on in the next read).
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

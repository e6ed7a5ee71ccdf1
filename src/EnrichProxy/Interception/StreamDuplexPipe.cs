using System.IO.Pipelines;

namespace EnrichProxy.Interception;

/// <summary>A <see cref="Stream"/> as a connection's pipes: what Kestrel's HTTP handling reads and writes after a TLS handshake.</summary>
internal sealed class StreamDuplexPipe(Stream stream) : IDuplexPipe
{
    public PipeReader Input { get; } = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));

    public PipeWriter Output { get; } = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
}

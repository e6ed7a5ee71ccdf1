namespace EnrichProxy.Caching;

/// <summary>
/// A count that many cores add to at once without sharing a cache line: each core adds to a cell of its own,
/// and reading sums the cells. On the hit path one shared counter made the cores take its cache line from each
/// other on every answer.
/// </summary>
internal sealed class StripedCounter
{
    // 16 longs (128 bytes) between cells: two cache lines, so that neighbouring cells never share one.
    private const int Stride = 16;

    private readonly long[] _cells = new long[Environment.ProcessorCount * Stride];

    public long Value
    {
        get
        {
            long total = 0;
            for (var cell = 0; cell < _cells.Length; cell += Stride)
            {
                total += Volatile.Read(ref _cells[cell]);
            }

            return total;
        }
    }

    public void Increment() => Interlocked.Increment(ref _cells[(Thread.GetCurrentProcessorId() % Environment.ProcessorCount) * Stride]);
}

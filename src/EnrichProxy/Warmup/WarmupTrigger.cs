namespace EnrichProxy.Warmup;

/// <summary>
/// "Run a warm-up round now" (the status page's button, <c>POST /admin/warmup</c>): wakes the warm-up loop before its
/// next interval. Asked twice before the loop wakes, it runs once.
/// </summary>
internal sealed class WarmupTrigger : IDisposable
{
    private readonly SemaphoreSlim _asked = new(0, 1);

    public void Request()
    {
        try
        {
            _asked.Release();
        }
        catch (SemaphoreFullException)
        {
            // Asked already and not yet taken: one round answers both.
        }
    }

    public Task WaitAsync(CancellationToken cancellationToken) => _asked.WaitAsync(cancellationToken);

    public void Dispose() => _asked.Dispose();
}

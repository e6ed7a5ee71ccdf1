namespace EnrichProxy.Tests.Support;

/// <summary>Waits for what background work does, with a generous bound for a loaded machine.</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, string what, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(20));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Still not true: {what}.");
            }

            await Task.Delay(10);
        }
    }
}

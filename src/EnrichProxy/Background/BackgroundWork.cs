namespace EnrichProxy.Background;

/// <summary>
/// The background job the current code runs for, if any. It flows with the async calls a job makes, down
/// to the cache fill: that is how a fill knows to take rate-limit permits after clients, and a prefetch
/// knows how deep it is and in which lane to queue what it finds.
/// </summary>
internal static class BackgroundWork
{
    private static readonly AsyncLocal<BackgroundJob?> CurrentJob = new();

    /// <summary>The job being run, or null for a client's request.</summary>
    public static BackgroundJob? Current
    {
        get => CurrentJob.Value;
        internal set => CurrentJob.Value = value;
    }
}

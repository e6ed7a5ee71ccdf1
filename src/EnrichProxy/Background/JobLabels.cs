namespace EnrichProxy.Background;

/// <summary>The names of job kinds and results in metric labels, <c>/admin/stats</c> and logs.</summary>
internal static class JobLabels
{
    public static readonly JobKind[] Kinds = Enum.GetValues<JobKind>();

    public static readonly JobResult[] Results = Enum.GetValues<JobResult>();

    public static string Of(JobKind kind) => kind switch
    {
        JobKind.Refresh => "refresh",
        JobKind.Enrich => "enrich",
        JobKind.Prefetch => "prefetch",
        _ => "warmup",
    };

    public static string Of(JobResult result) => result switch
    {
        JobResult.Stored => "stored",
        JobResult.Cached => "cached",
        JobResult.NotStored => "not_stored",
        JobResult.Failed => "failed",
        JobResult.Skipped => "skipped",
        _ => "cancelled",
    };
}

namespace EnrichProxy.Background;

/// <summary>The kinds and results of background jobs, as their metrics and logs name them.</summary>
internal static class JobKinds
{
    /// <summary>A stale-while-revalidate refresh.</summary>
    public const string Refresh = "refresh";

    /// <summary>A document of the enrichment API finished after its answer went out.</summary>
    public const string Enrich = "enrich";

    /// <summary>A related item an answer named.</summary>
    public const string Prefetch = "prefetch";

    /// <summary>An item of an Arr library.</summary>
    public const string Warmup = "warmup";

    public static readonly string[] All = [Refresh, Enrich, Prefetch, Warmup];

    /// <summary>Fetched and stored.</summary>
    public const string Stored = "stored";

    /// <summary>Already in the cache: nothing fetched.</summary>
    public const string Cached = "cached";

    /// <summary>Answered, but not storable (an error status, an incomplete document).</summary>
    public const string NotStored = "not_stored";

    /// <summary>No answer.</summary>
    public const string Failed = "failed";

    /// <summary>Still running when the shutdown's drain deadline passed.</summary>
    public const string Cancelled = "cancelled";

    public static readonly string[] Results = [Stored, Cached, NotStored, Failed, Cancelled];
}

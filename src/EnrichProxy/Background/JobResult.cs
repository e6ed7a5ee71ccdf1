namespace EnrichProxy.Background;

/// <summary>How a background job ended, as its metrics and logs name it (<see cref="JobLabels"/>).</summary>
internal enum JobResult
{
    /// <summary>Fetched and stored.</summary>
    Stored,

    /// <summary>Already in the cache: nothing fetched.</summary>
    Cached,

    /// <summary>Answered, but not storable (an error status, an incomplete document).</summary>
    NotStored,

    /// <summary>No answer.</summary>
    Failed,

    /// <summary>Not tried: its upstream was known to be failing when its turn came.</summary>
    Skipped,

    /// <summary>Still running, or still waiting, when the shutdown's drain deadline passed.</summary>
    Cancelled,
}

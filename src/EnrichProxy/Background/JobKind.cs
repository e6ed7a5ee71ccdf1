namespace EnrichProxy.Background;

/// <summary>What a background job does, as its metrics and logs name it (<see cref="JobLabels"/>).</summary>
internal enum JobKind
{
    /// <summary>A stale-while-revalidate refresh.</summary>
    Refresh,

    /// <summary>A document of the enrichment API finished after its answer went out.</summary>
    Enrich,

    /// <summary>A related item an answer named.</summary>
    Prefetch,

    /// <summary>An item of an Arr library.</summary>
    Warmup,
}

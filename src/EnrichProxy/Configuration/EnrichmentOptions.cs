namespace EnrichProxy.Configuration;

/// <summary>The enrichment API (<c>EnrichProxy:Enrichment</c>): how its assembled documents are cached.</summary>
public sealed class EnrichmentOptions
{
    /// <summary>How long an assembled, complete document is answered from the cache. Default 1 hour.</summary>
    public TimeSpan Ttl { get; init; } = TimeSpan.FromHours(1);

    /// <summary>After <see cref="Ttl"/>, how long the last document is answered while every tier fails. Default 7 days.</summary>
    public TimeSpan StaleIfError { get; init; } = TimeSpan.FromDays(7);

    /// <summary>
    /// How long an answer waits for the external tier once the library or the overrides have answered;
    /// past it, the answer is partial (<c>complete: false</c>) and the document is completed in the
    /// background. Default 2 seconds.
    /// </summary>
    public TimeSpan ExternalSoftTimeout { get; init; } = TimeSpan.FromSeconds(2);
}

namespace EnrichProxy.Configuration;

/// <summary>The operator's overrides of the enrichment API (<c>EnrichProxy:Overrides</c>).</summary>
internal sealed class OverrideStorageOptions
{
    /// <summary>
    /// The embedded file that keeps overrides when Redis is not configured (with Redis, a hash per kind
    /// under <c>InstanceName</c>); relative paths are under the content root. Default <c>data/overrides.db</c>.
    /// </summary>
    public string DiskPath { get; init; } = "data/overrides.db";
}

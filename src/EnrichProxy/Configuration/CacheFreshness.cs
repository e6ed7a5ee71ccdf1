namespace EnrichProxy.Configuration;

/// <summary>Who decides how long a policy's answers stay fresh (<see cref="CachePolicyOptions.Freshness"/>).</summary>
internal enum CacheFreshness
{
    /// <summary>The policy's own TTL and stale windows, whatever the origin's headers say.</summary>
    Policy,

    /// <summary>The origin's headers (RFC 9111), bounded by the policy's TTL and stale windows.</summary>
    Origin,
}

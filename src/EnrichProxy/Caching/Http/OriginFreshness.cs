namespace EnrichProxy.Caching.Http;

/// <summary>
/// How long an answer of a <c>Freshness: Origin</c> policy may be used, as its origin said when it was stored
/// (<see cref="OriginRules.FreshnessOf"/>), already bounded by the policy.
/// </summary>
/// <param name="Lifetime">The freshness lifetime (RFC 9111 4.2.1).</param>
/// <param name="InitialAge">The age it had when received (RFC 9111 4.2.3, <c>corrected_initial_age</c>).</param>
/// <param name="StaleWhileRevalidate">How long past <paramref name="Lifetime"/> it is answered stale while a refresh runs (RFC 5861).</param>
/// <param name="StaleIfError">How long past <paramref name="Lifetime"/> it is answered stale while the upstream fails (RFC 5861).</param>
/// <param name="MustRevalidate">Never answered stale (<c>must-revalidate</c>, <c>proxy-revalidate</c>, <c>s-maxage</c>, <c>no-cache</c>).</param>
internal sealed record OriginFreshness(TimeSpan Lifetime, TimeSpan InitialAge, TimeSpan StaleWhileRevalidate, TimeSpan StaleIfError, bool MustRevalidate);

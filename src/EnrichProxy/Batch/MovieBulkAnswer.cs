using EnrichProxy.Caching;
using EnrichProxy.Upstreams;

namespace EnrichProxy.Batch;

/// <summary>What a bulk lookup found.</summary>
/// <param name="Movies">The movies' JSON, in the order asked, each id once; the ids with nothing to answer are left out, as Radarr's metadata server does.</param>
/// <param name="Result">The cache result of the whole: HIT when every movie came from fresh entries, STALE when any was stale, MISS when any was fetched.</param>
/// <param name="Missing">The ids left out.</param>
/// <param name="Problem">Why the ids that were not cached could not be fetched, if they could not.</param>
internal sealed record MovieBulkAnswer(IReadOnlyList<byte[]> Movies, CacheResult Result, IReadOnlyList<int> Missing, UpstreamProblem? Problem);

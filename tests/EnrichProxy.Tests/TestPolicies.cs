using EnrichProxy.Caching;
using EnrichProxy.Configuration;
using EnrichProxy.Upstreams;

namespace EnrichProxy.Tests;

internal static class TestPolicies
{
    public static CachePolicy Create(
        TimeSpan? ttl = null,
        TimeSpan? staleWhileRevalidate = null,
        TimeSpan? staleIfError = null,
        string[]? vary = null,
        string[]? ignore = null,
        bool overrideOrigin = false,
        TimeSpan? negativeTtl = null,
        string[]? expectedContentTypes = null) =>
        new("test", new CachePolicyOptions
        {
            Ttl = ttl ?? TimeSpan.FromHours(1),
            StaleWhileRevalidate = staleWhileRevalidate ?? TimeSpan.Zero,
            StaleIfError = staleIfError ?? TimeSpan.Zero,
            NegativeTtl = negativeTtl ?? TimeSpan.Zero,
            VaryByHeaders = [.. vary ?? []],
            IgnoreQueryParameters = [.. ignore ?? []],
            OverrideOriginCacheControl = overrideOrigin,
            ExpectedContentTypes = [.. expectedContentTypes ?? []],
        });

    public static UpstreamRequest Fill(string query = "", string path = "/tmdb/3/movie/603", UpstreamAccess? access = null, params (string Name, string Value)[] headers) =>
        new("tmdb-movie", path, query, [.. headers.Select(h => new KeyValuePair<string, string>(h.Name, h.Value))], access ?? UpstreamAccess.ProxyKey);
}

using System.Globalization;
using EnrichProxy.Caching.Http;

namespace EnrichProxy.Caching;

/// <summary>The <c>X-Cache</c> and <c>Age</c> headers every answer of a cached route carries (and <c>Cache-Status</c>, <see cref="CacheStatus"/>).</summary>
internal static class CacheHeaders
{
    public const string XCache = "X-Cache";

    private static readonly string?[] RecentAges = new string?[4096];

    public static string Name(CacheResult result) => result switch
    {
        CacheResult.Hit => "HIT",
        CacheResult.Miss => "MISS",
        CacheResult.Stale => "STALE",
        _ => "BYPASS",
    };

    public static void Set(HttpResponse response, CacheResult result, TimeSpan age)
    {
        ArgumentNullException.ThrowIfNull(response);
        var headers = response.Headers;
        headers[XCache] = Name(result);
        headers.Age = FormatAge(age);
    }

    /// <summary>
    /// Marks an answer that did not use the cache. Set when the response starts, so that it wins over
    /// whatever the upstream sent under the same names; the <c>Cache-Status</c> member goes after the upstream's own.
    /// </summary>
    public static void SetBypass(HttpResponse response, string cacheStatus)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.OnStarting(static state =>
        {
            var (response, cacheStatus) = ((HttpResponse, string))state;
            var headers = response.Headers;
            headers[XCache] = "BYPASS";
            if (string.IsNullOrEmpty(headers.Age))
            {
                headers.Age = "0";
            }

            CacheStatus.Add(headers, cacheStatus);
            return Task.CompletedTask;
        }, (response, cacheStatus));
    }

    public static string FormatAge(TimeSpan age)
    {
        var seconds = age <= TimeSpan.Zero ? 0 : (long)age.TotalSeconds;
        if (seconds >= RecentAges.Length)
        {
            return seconds.ToString(CultureInfo.InvariantCulture);
        }

        // Most hits are of entries filled minutes ago: their Age strings are made once, not per answer.
        return RecentAges[seconds] ??= seconds.ToString(CultureInfo.InvariantCulture);
    }
}

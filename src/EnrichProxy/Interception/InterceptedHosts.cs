namespace EnrichProxy.Interception;

/// <summary>Host names as the interception compares them: lower-case, without a trailing dot, each once.</summary>
internal static class InterceptedHosts
{
    public static IReadOnlyList<string> Normalize(IEnumerable<string> hosts) =>
        [.. hosts.Select(Normalize).Where(host => host.Length > 0).Distinct(StringComparer.Ordinal)];

    public static string Normalize(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return host.Trim().TrimEnd('.').ToLowerInvariant();
    }
}

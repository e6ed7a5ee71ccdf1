namespace EnrichProxy.Interception;

/// <summary>A cluster that answers an intercepted host, and the base path of its address there.</summary>
/// <param name="ClusterId">The cluster, whose prefix routes (<c>/{ClusterId}/...</c>) answer the host.</param>
/// <param name="BasePath">The path the cluster's address starts with at the host, without its last slash (<c>/v1</c>; empty for the root).</param>
internal sealed record HostRoute(string ClusterId, string BasePath)
{
    /// <summary>
    /// The prefix-route form of <paramref name="target"/> (a path, with or without its query):
    /// <c>/v1/movie/603</c> becomes <c>/radarr-metadata/movie/603</c>. Null when the target is outside the base path.
    /// </summary>
    public string? ToPrefixRoute(string target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (!target.StartsWith(BasePath, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = target.AsSpan(BasePath.Length);
        if (rest.Length > 0 && rest[0] is not ('/' or '?'))
        {
            return null; // "/v10" is not under "/v1".
        }

        return string.Concat("/", ClusterId, rest.Length == 0 || rest[0] == '?' ? "/" : string.Empty, rest);
    }
}

namespace EnrichProxy.Configuration;

/// <summary>Names a setting the way the operator writes it, from the name the options validator gives it.</summary>
internal static class SettingPath
{
    /// <summary><c>EnrichProxyOptions.Queue.Workers</c> becomes <c>EnrichProxy:Queue:Workers</c>.</summary>
    public static string Of(string memberPath)
    {
        ArgumentNullException.ThrowIfNull(memberPath);
        var path = memberPath.StartsWith(nameof(EnrichProxyOptions) + ".", StringComparison.Ordinal)
            ? EnrichProxyOptions.SectionName + memberPath[nameof(EnrichProxyOptions).Length..]
            : memberPath;
        return path.Replace('.', ':');
    }
}

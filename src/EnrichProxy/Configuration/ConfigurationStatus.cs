namespace EnrichProxy.Configuration;

/// <summary>
/// Where the running configuration stands, for the status page and <c>/admin/stats</c>: when it was accepted, and the
/// last check of a change (refused ones with their errors, which name settings but never echo a value).
/// </summary>
internal sealed class ConfigurationStatus
{
    private volatile ConfigurationCheck? _lastCheck;

    public DateTimeOffset AcceptedAt { get; private set; } = DateTimeOffset.UtcNow;

    /// <summary>The last check of a changed configuration, or null when none changed since the start.</summary>
    public ConfigurationCheck? LastCheck => _lastCheck;

    public void Checked(ConfigurationCheck check)
    {
        ArgumentNullException.ThrowIfNull(check);
        if (check.Accepted)
        {
            AcceptedAt = check.At;
        }

        _lastCheck = check;
    }
}

/// <summary>A check of a changed configuration: when, whether it was accepted, and its errors if not.</summary>
internal sealed record ConfigurationCheck(DateTimeOffset At, bool Accepted, IReadOnlyList<string> Errors);

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

    /// <param name="check">The check.</param>
    /// <param name="applied">Whether the app now runs on what was checked (false for a refusal, or an undone one).</param>
    public void Checked(ConfigurationCheck check, bool applied)
    {
        ArgumentNullException.ThrowIfNull(check);
        if (applied)
        {
            AcceptedAt = check.At;
        }

        _lastCheck = check;
    }
}

/// <summary>
/// A check of a changed configuration: when, whether it was accepted, its errors if not, and the changed settings that
/// are read at start only and wait for a restart.
/// </summary>
internal sealed record ConfigurationCheck(DateTimeOffset At, bool Accepted, IReadOnlyList<string> Errors, IReadOnlyList<string> NeedsRestart);

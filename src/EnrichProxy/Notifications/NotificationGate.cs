namespace EnrichProxy.Notifications;

/// <summary>
/// Decides which changes are sent: a change of a subject's state is sent at once, unless a message about that subject
/// went out less than the quiet period ago; then it waits, and when the period ends the state of that moment is sent
/// if it still differs from the last one sent. A flapping upstream sends one message per quiet period at most, and the
/// last message about anything always tells its current state.
/// </summary>
internal sealed class NotificationGate(TimeSpan quietPeriod)
{
    private readonly Dictionary<string, (string State, DateTimeOffset? ChangedAt)> _known = new(StringComparer.Ordinal);

    /// <returns>The conditions to send now, in the order given.</returns>
    public IReadOnlyList<Condition> Observe(IEnumerable<Condition> current, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(current);
        var send = new List<Condition>();
        foreach (var condition in current)
        {
            var known = _known.TryGetValue(condition.Subject, out var seen) ? seen : (condition.NormalState, null);
            if (string.Equals(known.State, condition.State, StringComparison.Ordinal))
            {
                _known[condition.Subject] = known;
                continue;
            }

            if (known.ChangedAt is { } changedAt && now - changedAt < quietPeriod)
            {
                continue;
            }

            _known[condition.Subject] = (condition.State, now);
            if (!condition.Silent)
            {
                send.Add(condition);
            }
        }

        return send;
    }
}

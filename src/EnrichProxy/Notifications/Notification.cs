namespace EnrichProxy.Notifications;

/// <summary>How bad the news is: formats colour and prioritise by it.</summary>
internal enum NotificationSeverity
{
    Recovered,
    Warning,
    Failure,
}

/// <summary>
/// The state of one watched thing now (an upstream's circuit, its pause, L2, the backplane, the warm-up), and the
/// message that says so. <paramref name="Silent"/> states are remembered but not sent (a pause that ended).
/// </summary>
/// <param name="Subject">What is watched: <c>upstream tmdb</c>, <c>l2</c>.</param>
/// <param name="State">Its state in a word (<c>open</c>, <c>closed</c>); a change of it is news.</param>
/// <param name="NormalState">The state assumed before the first look: a failure present at start is news too.</param>
/// <param name="Event">The event name in the generic webhook's JSON: <c>upstream.circuit.opened</c>.</param>
/// <param name="Severity">How bad.</param>
/// <param name="Title">A line for a phone's notification.</param>
/// <param name="Message">What happened, and what to do, without a URL or a credential.</param>
/// <param name="Silent">Remembered, not sent.</param>
internal sealed record Condition(
    string Subject, string State, string NormalState, string Event, NotificationSeverity Severity, string Title, string Message, bool Silent = false);

/// <summary>A condition sent, with when it was seen.</summary>
internal sealed record Notification(Condition Condition, DateTimeOffset At);

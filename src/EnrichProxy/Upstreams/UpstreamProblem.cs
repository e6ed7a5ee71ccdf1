using EnrichProxy.Errors;
using EnrichProxy.Upstreams.Resilience;

namespace EnrichProxy.Upstreams;

/// <summary>How an upstream failed to give an answer.</summary>
internal enum UpstreamProblemKind
{
    /// <summary>Not sent: paused, rate-limited or circuit open (503 with <c>Retry-After</c>).</summary>
    Refused,

    /// <summary>Sent, and no answer in time (504).</summary>
    TimedOut,

    /// <summary>Could not be reached or asked at all (502).</summary>
    Unreachable,

    /// <summary>It answered, with a failure of its own (5xx, 429, 408): the client gets that answer.</summary>
    ErrorAnswer,
}

/// <summary>
/// Why the upstream gave no usable answer, and what a client is told instead: the one mapping from
/// upstream exceptions to answers, for cached reads and forwarded requests alike.
/// </summary>
internal sealed class UpstreamProblem
{
    private UpstreamProblem(UpstreamProblemKind kind, int status, string title, string detail, TimeSpan? retryAfter = null, UpstreamAnswer? answer = null)
    {
        Kind = kind;
        Status = status;
        Title = title;
        Detail = detail;
        RetryAfter = retryAfter;
        Answer = answer;
    }

    public UpstreamProblemKind Kind { get; }

    /// <summary>The status the client gets.</summary>
    public int Status { get; }

    /// <summary>The problem's title, in words for the client (no secrets, no URL).</summary>
    public string Title { get; }

    public string Detail { get; }

    /// <summary>When to ask again, where it is known.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>The upstream's own failed answer (<see cref="UpstreamProblemKind.ErrorAnswer"/>), which clients get as it came.</summary>
    public UpstreamAnswer? Answer { get; }

    /// <summary>The problem an exception of an upstream request stands for, or null when it is not an upstream's (a defect, a cancellation).</summary>
    public static UpstreamProblem? From(Exception exception) => exception switch
    {
        UpstreamRefusedException refused => new(UpstreamProblemKind.Refused, StatusCodes.Status503ServiceUnavailable,
            UpstreamRefusedException.ProblemTitle, refused.ProblemDetail, refused.RetryAfter),
        TimeoutException => new(UpstreamProblemKind.TimedOut, StatusCodes.Status504GatewayTimeout,
            "Upstream timeout", "The upstream did not answer in time, and no earlier answer could be served instead."),
        HttpRequestException or IOException or UpstreamUnavailableException => Unreachable(
            "The upstream could not be reached, and no earlier answer could be served instead."),
        { InnerException: { } inner } => From(inner),
        _ => null,
    };

    /// <summary>The upstream answered with a failure of its own and nothing stale could answer instead.</summary>
    public static UpstreamProblem ErrorAnswer(UpstreamAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        if (!answer.IsFailure)
        {
            // A failure by its content, not its status (a challenge page): the client gets a clear 502, not the page.
            return Unreachable($"The upstream answered {answer.StatusCode} with {answer.Header("Content-Type") ?? "no content type"}, not what this route expects (a challenge page?), and nothing stale could be served instead.");
        }

        return new(UpstreamProblemKind.ErrorAnswer, answer.StatusCode, "Upstream error", $"The upstream answered {answer.StatusCode}.", answer: answer);
    }

    /// <summary>No answer to give: a 502 saying why in <paramref name="detail"/>.</summary>
    public static UpstreamProblem Unreachable(string detail) =>
        new(UpstreamProblemKind.Unreachable, StatusCodes.Status502BadGateway, "Upstream unavailable", detail);

    /// <summary>
    /// The upstream failed, and the origin forbade answering its last answer stale (<c>must-revalidate</c>): a 504, as
    /// RFC 9111 5.2.2.2 asks of a cache that cannot revalidate.
    /// </summary>
    public static UpstreamProblem StaleForbidden(string detail) =>
        new(UpstreamProblemKind.Unreachable, StatusCodes.Status504GatewayTimeout, "Upstream unavailable", detail);

    /// <summary>Writes the problem as RFC 9457 problem+json (the caller writes <see cref="Answer"/> itself, when there is one).</summary>
    public Task WriteProblemAsync(HttpContext context) => ProblemResponses.WriteAsync(context, Status, Title, Detail, RetryAfter);

    public override string ToString() => $"{Kind} ({Status})";
}

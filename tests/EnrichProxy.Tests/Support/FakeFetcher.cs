using System.Collections.Concurrent;
using System.Text;
using EnrichProxy.Upstreams;
using EnrichProxy.Upstreams.Resilience;

namespace EnrichProxy.Tests.Support;

/// <summary>
/// An upstream behind the <see cref="IUpstreamFetcher"/> seam: answers scripted per path, every fetch recorded,
/// and a gate that holds answers until the test lets them go.
/// </summary>
internal sealed class FakeFetcher(TimeProvider time) : IUpstreamFetcher
{
    private readonly ConcurrentDictionary<string, Func<UpstreamRequest, UpstreamAnswer>> _answers = new(StringComparer.Ordinal);
    private TaskCompletionSource? _gate;

    /// <summary>Every request fetched, in order.</summary>
    public ConcurrentQueue<(UpstreamRequest Request, bool Background)> Fetched { get; } = new();

    public int CountOf(string path) => Fetched.Count(f => f.Request.Path == path);

    /// <summary>Routes whose upstream the tests say is known to be failing (an open circuit); read by background jobs too.</summary>
    public ConcurrentDictionary<string, bool> FailingRoutes { get; } = new(StringComparer.Ordinal);

    public bool IsKnownFailing(string routeId) => FailingRoutes.ContainsKey(routeId);

    /// <summary>Answers <paramref name="path"/> with <paramref name="status"/> and <paramref name="body"/> from now on.</summary>
    public FakeFetcher Answer(string path, int status, string body, params ResponseHeader[] headers) =>
        Answer(path, _ => new UpstreamAnswer
        {
            StatusCode = status,
            Headers = [new ResponseHeader("Content-Type", "application/json"), .. headers.Where(h => !string.Equals(h.Name, "Set-Cookie", StringComparison.OrdinalIgnoreCase))],
            Body = Encoding.UTF8.GetBytes(body),
            SetCookies = [.. headers.Where(h => string.Equals(h.Name, "Set-Cookie", StringComparison.OrdinalIgnoreCase)).Select(h => h.Value)],
            SentAt = time.GetUtcNow(),
            ReceivedAt = time.GetUtcNow(),
        });

    /// <summary>Answers <paramref name="path"/> with a body larger than any policy keeps (not read).</summary>
    public FakeFetcher TooLarge(string path) =>
        Answer(path, _ => new UpstreamAnswer { StatusCode = 200, Headers = [], Body = null, SentAt = time.GetUtcNow(), ReceivedAt = time.GetUtcNow() });

    /// <summary>Fails every fetch of <paramref name="path"/> with <paramref name="exception"/>.</summary>
    public FakeFetcher Throw(string path, Exception exception) => Answer(path, _ => throw exception);

    public FakeFetcher Answer(string path, Func<UpstreamRequest, UpstreamAnswer> answer)
    {
        _answers[path] = answer;
        return this;
    }

    /// <summary>From now on, fetches wait until <see cref="Release"/>.</summary>
    public void Hold() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _gate?.TrySetResult();

    public async Task<UpstreamAnswer> FetchAsync(UpstreamRequest request, long maxBodyBytes, BackgroundPriority? background, CancellationToken cancellationToken)
    {
        Fetched.Enqueue((request, background?.IsBackground == true));
        if (_gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        if (!_answers.TryGetValue(request.Path, out var answer))
        {
            throw new HttpRequestException($"Nothing answers {request.Path}.");
        }

        return answer(request);
    }
}

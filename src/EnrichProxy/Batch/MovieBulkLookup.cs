using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using EnrichProxy.Caching;
using EnrichProxy.Upstreams;

namespace EnrichProxy.Batch;

/// <summary>
/// Radarr's bulk lookup (<c>POST /v1/movie/bulk</c>, a JSON array of TMDb ids answered by an array of movies) answered
/// per id from the entries of <c>GET /v1/movie/{id}</c>: the same entries a single lookup fills and reads, since a bulk
/// element and a single answer are the same resource (Radarr's <c>SkyHookProxy</c> reads both as <c>MovieResource</c>).
/// Only the ids not cached are fetched, as one bulk request through the cluster's resilience pipeline and rate limit,
/// and each movie it returns is stored as its single lookup's entry. When that fetch fails, the ids held stale are
/// answered and the rest left out.
/// </summary>
internal sealed partial class MovieBulkLookup(ProxyReads reads, ReadThroughCache cache, CacheMetrics metrics, IUpstreamFetcher fetcher, TimeProvider time, ILogger<MovieBulkLookup> logger) : IDisposable
{
    /// <summary>The cached route of one movie, whose entries answer the bulk.</summary>
    public const string MovieRoute = "radarr-metadata-movie";

    /// <summary>The route whose transforms, cluster and rate limit send the bulk request of the missing ids.</summary>
    public const string BulkRoute = "radarr-metadata";

    public const string BulkPath = "/radarr-metadata/movie/bulk";

    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    // Cache reads and writes of one bulk in flight at once.
    private const int CacheConcurrency = 16;

    // The bulk answer is read whole: a movie is tens of KB, a bulk at most MaxIds of them.
    private const long MaxAnswerBytes = 64L * 1024 * 1024;

    // Bulks answered at once; more wait their turn, so that memory stays bounded whoever sends them.
    private const int ConcurrentBulks = 4;

    private readonly SemaphoreSlim _turns = new(ConcurrentBulks, ConcurrentBulks);

    public async Task<MovieBulkAnswer> LookupAsync(IReadOnlyList<int> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        await _turns.WaitAsync(cancellationToken);
        try
        {
            return await LookupInTurnAsync(ids, cancellationToken);
        }
        finally
        {
            _turns.Release();
        }
    }

    public void Dispose() => _turns.Dispose();

    private async Task<MovieBulkAnswer> LookupInTurnAsync(IReadOnlyList<int> ids, CancellationToken cancellationToken)
    {
        var asked = ids.Distinct().ToList();
        var movies = new Dictionary<int, byte[]>();
        var staleFallbacks = new Dictionary<int, byte[]>();
        var cacheReads = new Dictionary<int, CacheRead>();
        var toFetch = new List<int>();
        var anyStale = false;
        foreach (var id in asked)
        {
            if (reads.ForRoute(MovieRoute, $"/radarr-metadata/movie/{id}", string.Empty) is { } read)
            {
                cacheReads[id] = read;
            }
        }

        var peeked = await PeekAllAsync(cacheReads, cancellationToken);
        foreach (var id in asked)
        {
            if (!peeked.TryGetValue(id, out var peek))
            {
                toFetch.Add(id); // No cached route: fetched, never stored.
                continue;
            }

            switch (peek)
            {
                case ReadResult.Hit { Entry.StatusCode: 200 } hit:
                    movies[id] = hit.Entry.Body;
                    metrics.Answered(MovieRoute, CacheResult.Hit);
                    break;
                case ReadResult.Stale { Entry.StatusCode: 200, Reason: StaleReason.Revalidating } stale:
                    movies[id] = stale.Entry.Body; // Refreshing in the background already.
                    anyStale = true;
                    metrics.Answered(MovieRoute, CacheResult.Stale);
                    break;
                case ReadResult.Hit { Entry.StatusCode: 404 or 410 }:
                    metrics.Answered(MovieRoute, CacheResult.Hit); // Known not to exist: left out, as upstream would.
                    break;
                case ReadResult.Stale { Entry.StatusCode: 200 } expired:
                    staleFallbacks[id] = expired.Entry.Body;
                    toFetch.Add(id);
                    break;
                default:
                    toFetch.Add(id);
                    break;
            }
        }

        UpstreamProblem? problem = null;
        var result = anyStale ? CacheResult.Stale : CacheResult.Hit;
        if (toFetch.Count > 0)
        {
            (var fetched, problem) = await FetchAsync(toFetch, cacheReads, cancellationToken);
            foreach (var (id, body) in fetched)
            {
                movies[id] = body;
                metrics.Answered(MovieRoute, CacheResult.Miss);
            }

            result = CacheResult.Miss;
            if (problem is not null)
            {
                LogBulkFetchFailed(logger, toFetch.Count, problem.ToString(), staleFallbacks.Count);
                foreach (var (id, body) in staleFallbacks)
                {
                    movies[id] = body;
                    metrics.Answered(MovieRoute, CacheResult.Stale);
                }

                result = staleFallbacks.Count > 0 ? CacheResult.Stale : result;
            }
        }

        return new MovieBulkAnswer(
            [.. asked.Where(movies.ContainsKey).Select(id => movies[id])],
            result,
            [.. asked.Where(id => !movies.ContainsKey(id))],
            problem);
    }

    // The reads are independent; a few at a time keeps a bulk of misses from waiting on each L2 read in turn.
    private async Task<Dictionary<int, ReadResult?>> PeekAllAsync(Dictionary<int, CacheRead> cacheReads, CancellationToken cancellationToken)
    {
        var peeked = new ConcurrentDictionary<int, ReadResult?>();
        await Parallel.ForEachAsync(cacheReads, Concurrently(cancellationToken), async (pair, token) => peeked[pair.Key] = await cache.PeekAsync(pair.Value, token));
        return new Dictionary<int, ReadResult?>(peeked);
    }

    private static ParallelOptions Concurrently(CancellationToken cancellationToken) =>
        new() { MaxDegreeOfParallelism = CacheConcurrency, CancellationToken = cancellationToken };

    // One upstream request for the ids not cached; each movie it answers is stored as its single lookup's entry.
    private async Task<(Dictionary<int, byte[]> Movies, UpstreamProblem? Problem)> FetchAsync(
        List<int> ids, Dictionary<int, CacheRead> cacheReads, CancellationToken cancellationToken)
    {
        var movies = new Dictionary<int, byte[]>();
        var request = new UpstreamRequest(BulkRoute, BulkPath, string.Empty, [], UpstreamAccess.ProxyKey)
        {
            Method = HttpMethods.Post,
            JsonBody = JsonSerializer.SerializeToUtf8Bytes(ids),
        };
        var policy = cacheReads.Values.FirstOrDefault()?.Policy;
        UpstreamAnswer answer;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(policy?.HardTimeout ?? DefaultTimeout);
            answer = await fetcher.FetchAsync(request, MaxAnswerBytes, background: null, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (movies, UpstreamProblem.From(new TimeoutException()));
        }
        catch (Exception exception) when (UpstreamProblem.From(exception) is { } problem)
        {
            return (movies, problem);
        }

        if (answer.StatusCode != StatusCodes.Status200OK || !StorabilityRules.HasExpectedContentType(answer, ["application/json"])
            || !TryReadMovies(answer.Body, out var elements))
        {
            return (movies, answer.IsFailure ? UpstreamProblem.ErrorAnswer(answer)
                : UpstreamProblem.Unreachable($"The upstream answered the bulk lookup with {answer.StatusCode} and {answer.Header("Content-Type") ?? "no content type"}, not an array of movies."));
        }

        var wanted = ids.ToHashSet();
        foreach (var (id, body) in elements.Where(element => wanted.Contains(element.Id)))
        {
            movies[id] = body;
        }

        // Stored whatever happens to the client now: the upstream's answer is paid for.
        var toStore = movies.Where(movie => cacheReads.TryGetValue(movie.Key, out var read) && movie.Value.Length <= read.Policy.MaxCacheableBytes);
        await Parallel.ForEachAsync(toStore, Concurrently(CancellationToken.None), async (movie, _) =>
            await cache.StoreAsync(cacheReads[movie.Key], AsSingleAnswer(answer, movie.Value)));
        return (movies, null);
    }

    // The answer a single lookup of the movie would have had: the movie's JSON, as JSON.
    private UpstreamAnswer AsSingleAnswer(UpstreamAnswer bulk, byte[] body) => new()
    {
        StatusCode = StatusCodes.Status200OK,
        Headers = [new ResponseHeader("Content-Type", bulk.Header("Content-Type") ?? "application/json")],
        Body = body,
        SentAt = bulk.SentAt,
        ReceivedAt = bulk.ReceivedAt == default ? time.GetUtcNow() : bulk.ReceivedAt,
    };

    /// <summary>The movies of a bulk answer by TMDb id (<c>TmdbId</c>, any case), each as its own JSON.</summary>
    internal static bool TryReadMovies(byte[]? body, out List<(int Id, byte[] Body)> movies)
    {
        movies = [];
        if (body is null)
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                return false;
            }

            foreach (var element in document.RootElement.EnumerateArray())
            {
                if (element.ValueKind == JsonValueKind.Object && TmdbId(element) is { } id)
                {
                    // The element as the upstream wrote it (its escapes kept): the same bytes a single lookup stores.
                    movies.Add((id, Encoding.UTF8.GetBytes(element.GetRawText())));
                }
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static int? TmdbId(JsonElement movie)
    {
        foreach (var property in movie.EnumerateObject())
        {
            if (property.NameEquals("TmdbId") || property.Name.Equals("tmdbId", StringComparison.OrdinalIgnoreCase))
            {
                return property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetInt32(out var id) ? id : null;
            }
        }

        return null;
    }

    [LoggerMessage(EventId = 8301, EventName = "MovieBulkFetchFailed", Level = LogLevel.Warning,
        Message = "Bulk lookup of {Count} movies failed upstream ({Problem}); answering {Stale} of them stale and leaving out the rest")]
    private static partial void LogBulkFetchFailed(ILogger logger, int count, string problem, int stale);
}

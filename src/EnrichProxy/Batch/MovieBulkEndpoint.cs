using System.Buffers;
using System.Text.Json;
using EnrichProxy.Caching;
using EnrichProxy.Caching.Http;
using EnrichProxy.Errors;

namespace EnrichProxy.Batch;

/// <summary>
/// <c>POST /radarr-metadata/movie/bulk</c>, which is also where Radarr's <c>POST https://api.radarr.video/v1/movie/bulk</c>
/// lands through the forward proxy or the TLS front door: a JSON array of TMDb ids, answered by
/// <see cref="MovieBulkLookup"/>. Anyone who can reach the proxy may ask, as for a single lookup; the ids per request
/// and the body are bounded.
/// </summary>
internal static class MovieBulkEndpoint
{
    /// <summary>The most ids one bulk may ask for (Radarr asks for a few hundred at most).</summary>
    public const int MaxIds = 1000;

    private const int MaxBodyBytes = 64 * 1024;

    private const int FlushBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapMovieBulk(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(MovieBulkLookup.BulkPath, HandleAsync).ExcludeFromDescription();
        return endpoints;
    }

    private static async Task HandleAsync(HttpContext context, MovieBulkLookup lookup)
    {
        var ids = await ReadIdsAsync(context.Request, context.RequestAborted);
        if (ids is null)
        {
            await ProblemResponses.WriteAsync(context, StatusCodes.Status400BadRequest, "Bad bulk lookup",
                $"The body must be a JSON array of at most {MaxIds} TMDb ids (integers), at most {MaxBodyBytes / 1024} KiB.");
            return;
        }

        var answer = await lookup.LookupAsync(ids, context.RequestAborted);
        if (answer.Movies.Count == 0 && answer.Problem is { } problem)
        {
            // Nothing to answer at all: the client hears why, as for a single lookup.
            await problem.WriteProblemAsync(context);
            return;
        }

        var response = context.Response;
        response.ContentType = "application/json; charset=utf-8";
        response.Headers[CacheHeaders.XCache] = CacheHeaders.Name(answer.Result);
        CacheStatus.Set(response.Headers, CacheStatus.Summary(answer.Result));
        response.ContentLength = 2 + answer.Movies.Sum(movie => movie.Length) + Math.Max(0, answer.Movies.Count - 1);
        var body = response.BodyWriter;
        body.Write("["u8);
        var unflushed = 0;
        for (var i = 0; i < answer.Movies.Count; i++)
        {
            if (i > 0)
            {
                body.Write(","u8);
            }

            body.Write(answer.Movies[i]);
            unflushed += answer.Movies[i].Length + 1;
            if (unflushed >= FlushBytes)
            {
                // The movies are in memory already; the response's own buffer stays small.
                await body.FlushAsync(context.RequestAborted);
                unflushed = 0;
            }
        }

        body.Write("]"u8);
        await body.FlushAsync(context.RequestAborted);
    }

    // The ids of the body, or null when it is not a JSON array of integers within the bounds.
    private static async Task<int[]?> ReadIdsAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        try
        {
            var ids = JsonSerializer.Deserialize<int[]>(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
            return ids is { Length: <= MaxIds } ? ids : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

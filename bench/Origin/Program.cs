using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

// Paths shaped like TMDb's, so EnrichProxy's shipped routes apply: /3/movie/{id}, /3/person/{id},
// /3/trending/{id} and /3/account/{id} answer 2 KB of JSON, /3/tv/{id} 32 KB, /3/collection/{id} 2 KB after 200 ms. GET /__stats: requests
// per path; POST /__stats/reset clears them. GET /__arrivals/{id}: when collection {id} was first asked for (Unix ms).
// Radarr's metadata server (bench "radarr"): GET /v1/movie/{id} answers one movie of 2 KB, POST /v1/movie/bulk a
// JSON array of TMDb ids with the array of those movies, each after 50 ms like a distant API.
// Revalidation (bench "revalidation"): /3/search/etag/{id} answers 32 KB with an ETag and a 304 without a body to a
// matching If-None-Match; /3/search/plain/{id} the same 32 KB without a validator; both after 20 ms. GET /__bytes: body
// bytes sent per path prefix (/3/search/etag, /3/search/plain).
// The browsing catalogue (bench/browse.sh): movies 500000-500299 in collections 900000-900074 of 2 to 6
// movies each, answered after 50 ms like a distant API, with belongs_to_collection and parts as TMDb's.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();

var counts = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
var bytes = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
// When each collection was first asked for (Unix ms): how long after a herd began its one fill reached the origin.
var arrivals = new ConcurrentDictionary<string, double>(StringComparer.Ordinal);
var small = Body(2 * 1024);
var large = Body(32 * 1024);

app.MapGet("/__stats", () => Results.Json(counts.OrderBy(c => c.Key).ToDictionary(c => c.Key, c => c.Value)));
app.MapPost("/__stats/reset", () => counts.Clear());
app.MapGet("/__arrivals/{id}", (string id) => arrivals.TryGetValue(id, out var at) ? Results.Text(at.ToString("0.0", CultureInfo.InvariantCulture)) : Results.NotFound());
app.MapGet("/__bytes", () => Results.Json(bytes.OrderBy(b => b.Key).ToDictionary(b => b.Key, b => b.Value)));
app.MapGet("/3/search/{kind}/{id}", async (HttpContext context, string kind) =>
{
    await Task.Delay(20);
    var prefix = "/3/search/" + kind;
    if (kind == "etag")
    {
        context.Response.Headers.ETag = "\"v1\"";
        if (context.Request.Headers.IfNoneMatch == "\"v1\"")
        {
            counts.AddOrUpdate(context.Request.Path.Value!, 1, (_, n) => n + 1);
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }
    }

    bytes.AddOrUpdate(prefix, large.Length, (_, n) => n + large.Length);
    await Answer(context, large);
});
var catalogue = Catalogue.Build();
app.MapGet("/3/movie/{id}", async (HttpContext context, string id) =>
{
    if (catalogue.Movies.TryGetValue(id, out var movie))
    {
        await Task.Delay(50);
        await Answer(context, movie);
        return;
    }

    await Answer(context, small);
});
app.MapGet("/v1/movie/{id:int}", async (HttpContext context, int id) =>
{
    await Task.Delay(50);
    await Answer(context, RadarrMovie(id));
});
app.MapPost("/v1/movie/bulk", async (HttpContext context, int[] ids) =>
{
    await Task.Delay(50);
    var movies = ids.Select(id => Encoding.UTF8.GetString(RadarrMovie(id)));
    await Answer(context, Encoding.UTF8.GetBytes("[" + string.Join(",", movies) + "]"));
});
app.MapGet("/3/account/{id}", (HttpContext context) => Answer(context, small));
app.MapGet("/3/person/{id}", (HttpContext context) => Answer(context, small));
app.MapGet("/3/trending/{id}", (HttpContext context) => Answer(context, small));
app.MapGet("/3/discover/{id}", (HttpContext context) => Answer(context, small));
app.MapGet("/3/tv/{id}", (HttpContext context) => Answer(context, large));
app.MapGet("/3/collection/{id}", async (HttpContext context, string id) =>
{
    arrivals.TryAdd(id, (DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).TotalMilliseconds);
    if (catalogue.Collections.TryGetValue(id, out var collection))
    {
        await Task.Delay(50);
        await Answer(context, collection);
        return;
    }

    await Task.Delay(200);
    await Answer(context, small);
});
app.Run();

Task Answer(HttpContext context, byte[] body)
{
    counts.AddOrUpdate(context.Request.Path.Value!, 1, (_, n) => n + 1);
    context.Response.ContentType = "application/json";
    context.Response.ContentLength = body.Length;
    return context.Response.Body.WriteAsync(body).AsTask();
}

// Shaped like Radarr's MovieResource (PascalCase, TmdbId), about 2 KB.
static byte[] RadarrMovie(int id) => Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
    $$"""{"TmdbId":{{id}},"ImdbId":"tt{{id:0000000}}","Title":"Movie {{id}}","Year":2000,"Overview":"{{new string('x', 1900)}}","Images":[],"Genres":["Drama"]}"""));

static byte[] Body(int size)
{
    var text = new StringBuilder("{\"id\":1,\"title\":\"benchmark\",\"overview\":\"");
    while (text.Length < size - 2)
    {
        text.Append('x');
    }

    return Encoding.UTF8.GetBytes(text.Append("\"}").ToString());
}

/// <summary>The browsing catalogue: 75 collections of 2 to 6 movies, 300 movies in all.</summary>
internal sealed record Catalogue(Dictionary<string, byte[]> Movies, Dictionary<string, byte[]> Collections)
{
    public const int FirstMovie = 500000;
    public const int FirstCollection = 900000;

    public static Catalogue Build()
    {
        var movies = new Dictionary<string, byte[]>();
        var collections = new Dictionary<string, byte[]>();
        var next = FirstMovie;
        var padding = new string('x', 1800);
        for (var c = 0; c < 75; c++)
        {
            var collectionId = FirstCollection + c;
            var parts = Enumerable.Range(next, 2 + (c % 5)).ToList();
            next += parts.Count;
            foreach (var id in parts)
            {
                movies[id.ToString(CultureInfo.InvariantCulture)] = Encoding.UTF8.GetBytes(
                    $$"""{"id":{{id}},"title":"Movie {{id}}","belongs_to_collection":{"id":{{collectionId}},"name":"Collection {{collectionId}}"},"overview":"{{padding}}"}""");
            }

            collections[collectionId.ToString(CultureInfo.InvariantCulture)] = Encoding.UTF8.GetBytes(
                $$"""{"id":{{collectionId}},"name":"Collection {{collectionId}}","parts":[{{string.Join(",", parts.Select(id => $$"""{"id":{{id}},"title":"Movie {{id}}"}"""))}}]}""");
        }

        return new Catalogue(movies, collections);
    }
}

using System.Collections.Concurrent;
using System.Text;

// Paths shaped like TMDb's, so EnrichProxy's shipped routes apply: /3/movie/{id}, /3/person/{id},
// /3/trending/{id} and /3/account/{id} answer 2 KB of JSON, /3/tv/{id} 32 KB, /3/collection/{id} 2 KB after 200 ms. GET /__stats: requests
// per path; POST /__stats/reset clears them.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();

var counts = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
var small = Body(2 * 1024);
var large = Body(32 * 1024);

app.MapGet("/__stats", () => Results.Json(counts.OrderBy(c => c.Key).ToDictionary(c => c.Key, c => c.Value)));
app.MapPost("/__stats/reset", () => counts.Clear());
app.MapGet("/3/movie/{id}", (HttpContext context) => Answer(context, small));
app.MapGet("/3/account/{id}", (HttpContext context) => Answer(context, small));
app.MapGet("/3/person/{id}", (HttpContext context) => Answer(context, small));
app.MapGet("/3/trending/{id}", (HttpContext context) => Answer(context, small));
app.MapGet("/3/tv/{id}", (HttpContext context) => Answer(context, large));
app.MapGet("/3/collection/{id}", async (HttpContext context) =>
{
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

static byte[] Body(int size)
{
    var text = new StringBuilder("{\"id\":1,\"title\":\"benchmark\",\"overview\":\"");
    while (text.Length < size - 2)
    {
        text.Append('x');
    }

    return Encoding.UTF8.GetBytes(text.Append("\"}").ToString());
}

using System.Text;

// What the cache-hit benchmarks are bounded by: Kestrel writing a body already in memory, with the
// headers EnrichProxy sends on a hit, and no routing, middleware or lookup at all. Paths under
// /tmdb/3/tv/ answer 32 KB, everything else 2 KB. It runs with the same socket setting EnrichProxy
// uses by default (inline socket completions), so the two differ only by what EnrichProxy does.
Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();

var small = Body(2 * 1024);
var large = Body(32 * 1024);
app.Run(context =>
{
    var body = context.Request.Path.StartsWithSegments("/tmdb/3/tv") ? large : small;
    var response = context.Response;
    response.ContentType = "application/json";
    response.Headers["X-Cache"] = "HIT";
    response.Headers.Age = "0";
    response.ContentLength = body.Length;
    return response.Body.WriteAsync(body).AsTask();
});
app.Run();

static byte[] Body(int size)
{
    var text = new StringBuilder("{\"id\":1,\"title\":\"benchmark\",\"overview\":\"");
    while (text.Length < size - 2)
    {
        text.Append('x');
    }

    return Encoding.UTF8.GetBytes(text.Append("\"}").ToString());
}

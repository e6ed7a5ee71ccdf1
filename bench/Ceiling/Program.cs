using System.Collections.Concurrent;
using System.Text;

// What the cache-hit benchmarks are bounded by: Kestrel writing a body already in memory, with the
// headers EnrichProxy sends on a hit, and no routing or middleware: one dictionary lookup of the path.
// Every path has a body of its own (as every key of a cache has), so that over 10,000 keys the ceiling
// reads 10,000 bodies from memory as a cache must, not one that stays in the CPU's cache. Paths under
// /tmdb/3/tv/ answer 32 KB, everything else 2 KB. It runs with the same socket setting EnrichProxy
// uses by default (inline socket completions), so the two differ only by what EnrichProxy does.
Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();

var small = Body(2 * 1024);
var large = Body(32 * 1024);
var bodies = new ConcurrentDictionary<string, byte[]>(StringComparer.Ordinal);
app.Run(context =>
{
    var path = context.Request.Path.Value ?? "/";
    var body = bodies.GetOrAdd(path, static (p, template) => (byte[])(p.StartsWith("/tmdb/3/tv", StringComparison.Ordinal) ? template.Large : template.Small).Clone(), (Small: small, Large: large));
    var response = context.Response;
    response.ContentType = "application/json";
    response.Headers["X-Cache"] = "HIT";
    response.Headers.Age = "0";
    response.Headers["Cache-Status"] = "EnrichProxy; hit; ttl=86340";
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

using System.Reflection;
using System.Security.Cryptography;
using EnrichProxy.Telemetry;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace EnrichProxy.Status;

/// <summary>
/// The status page at <c>/</c>: one HTML page, its script and its style, built into the binary (no CDN, no files to
/// deploy: many installs are offline from the browser's point of view). The page holds no figures: its script reads
/// <c>GET /admin/stats</c> with the key the visitor enters (the read-only key shows, the admin key also acts) and
/// <c>/health/ready</c>. Anyone who reaches the port gets the empty page; a strict Content-Security-Policy keeps it to
/// its own script, and the script writes every figure as text, never as markup.
/// </summary>
internal static class StatusPage
{
    public const string ScriptPath = "/status/status.js";
    public const string StylePath = "/status/status.css";

    // Only this origin: no inline script or style, no frames, no form posts elsewhere.
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly Asset Script = Asset.Load("status.js", "text/javascript; charset=utf-8");
    private static readonly Asset Style = Asset.Load("status.css", "text/css; charset=utf-8");

    // The assets' addresses carry their content hash, so a browser may keep them for good and still never runs an old
    // script against a new page.
    private static readonly Asset Html = Asset.Load("index.html", "text/html; charset=utf-8", text => text
        .Replace("{{script}}", $"{ScriptPath}?v={Script.Hash}", StringComparison.Ordinal)
        .Replace("{{style}}", $"{StylePath}?v={Style.Hash}", StringComparison.Ordinal)
        .Replace("{{version}}", System.Net.WebUtility.HtmlEncode(InstanceInfo.Version), StringComparison.Ordinal));

    public static IEndpointRouteBuilder MapStatusPage(this IEndpointRouteBuilder endpoints)
    {
        string[] methods = [HttpMethods.Get, HttpMethods.Head];
        endpoints.MapMethods("/", methods, (HttpContext context) => Serve(context, Html, "no-cache")).ExcludeFromDescription();
        endpoints.MapMethods(ScriptPath, methods, (HttpContext context) => Serve(context, Script, "public, max-age=31536000, immutable")).ExcludeFromDescription();
        endpoints.MapMethods(StylePath, methods, (HttpContext context) => Serve(context, Style, "public, max-age=31536000, immutable")).ExcludeFromDescription();
        return endpoints;
    }

    private static FileContentHttpResult Serve(HttpContext context, Asset asset, string cacheControl)
    {
        var headers = context.Response.Headers;
        headers.CacheControl = cacheControl;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        return TypedResults.Bytes(asset.Bytes, asset.ContentType, entityTag: new EntityTagHeaderValue($"\"{asset.Hash}\""));
    }

    private sealed record Asset(byte[] Bytes, string ContentType, string Hash)
    {
        public static Asset Load(string name, string contentType, Func<string, string>? rewrite = null)
        {
            using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"EnrichProxy.Status.Page.{name}")
                ?? throw new InvalidOperationException($"The status page's {name} is not built into the binary.");
            using var reader = new StreamReader(stream);
            var text = reader.ReadToEnd();
            var bytes = System.Text.Encoding.UTF8.GetBytes(rewrite is null ? text : rewrite(text));
            return new Asset(bytes, contentType, Convert.ToHexStringLower(SHA256.HashData(bytes))[..16]);
        }
    }
}

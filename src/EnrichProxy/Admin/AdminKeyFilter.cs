using System.Security.Cryptography;
using System.Text;
using EnrichProxy.Configuration;
using Microsoft.Extensions.Options;

namespace EnrichProxy.Admin;

/// <summary>
/// Lets an admin request through only with the configured key in <c>X-Admin-Key</c>: 404 while no key is
/// configured (the API is off), 401 for a missing or wrong key. Keys are compared in constant time.
/// </summary>
internal sealed class AdminKeyFilter(IOptions<EnrichProxyOptions> options) : IEndpointFilter
{
    public const string HeaderName = "X-Admin-Key";

    private readonly byte[]? _keyHash = options.Value.Admin.IsEnabled ? Hash(options.Value.Admin.ApiKey!) : null;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        http.Response.Headers.CacheControl = "no-store";
        if (_keyHash is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Admin API off",
                detail: "The admin API is off: set EnrichProxy:Admin:ApiKey to turn it on.");
        }

        var sent = http.Request.Headers[HeaderName].ToString();
        if (sent.Length == 0 || !CryptographicOperations.FixedTimeEquals(Hash(sent), _keyHash))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Admin key required",
                detail: $"Send the admin key in the {HeaderName} header.");
        }

        return await next(context);
    }

    // Hashes first, so that the comparison takes as long whatever the lengths.
    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}

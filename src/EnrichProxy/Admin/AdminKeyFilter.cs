using System.Security.Cryptography;
using System.Text;
using EnrichProxy.Configuration;
using Microsoft.Extensions.Options;

namespace EnrichProxy.Admin;

/// <summary>
/// Lets an admin request through only with a configured key in <c>X-Admin-Key</c>: the admin key for every
/// endpoint, the read-only key (<c>EnrichProxy:Admin:ReadOnlyApiKey</c>) for those marked
/// <see cref="ReadOnlyKeyAllowed"/> (<c>GET /admin/stats</c>). 404 while no key that could open the endpoint is
/// configured (it is off), 401 for a missing or wrong key. Keys are compared in constant time, against every
/// configured key, so the time taken says nothing of which one came close.
/// </summary>
internal sealed class AdminKeyFilter(IOptionsMonitor<EnrichProxyOptions> options) : IEndpointFilter
{
    public const string HeaderName = "X-Admin-Key";

    private static readonly object AccessItem = new();

    // The keys as configured now (a rotated key applies without a restart), hashed once per version of the settings.
    private readonly PerSettings<AdminOptions, KeyHashes> _keys = new(admin =>
        new KeyHashes(admin.IsEnabled ? Hash(admin.ApiKey!) : null, admin.IsReadOnlyKeySet ? Hash(admin.ReadOnlyApiKey!) : null));

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        http.Response.Headers.CacheControl = "no-store";
        var keys = _keys.For(options.CurrentValue.Admin);
        var readOnlyKeyOpens = http.GetEndpoint()?.Metadata.GetMetadata<ReadOnlyKeyAllowed>() is not null;
        var readOnlyKeyHash = readOnlyKeyOpens ? keys.ReadOnly : null;
        if (keys.Admin is null && readOnlyKeyHash is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Admin API off",
                detail: readOnlyKeyOpens
                    ? "The admin API is off: set EnrichProxy:Admin:ApiKey (or ReadOnlyApiKey, for reading stats) to turn it on."
                    : "The admin API is off: set EnrichProxy:Admin:ApiKey to turn it on.");
        }

        var sent = http.Request.Headers[HeaderName].ToString();
        var sentHash = Hash(sent);
        // Both comparisons run whatever the first says.
        var isAdmin = Matches(sentHash, keys.Admin);
        var isReader = Matches(sentHash, readOnlyKeyHash);
        if (sent.Length == 0 || !(isAdmin | isReader))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Admin key required",
                detail: $"Send the admin key in the {HeaderName} header.");
        }

        http.Items[AccessItem] = isAdmin ? AdminAccess.Admin : AdminAccess.ReadOnly;
        return await next(context);
    }

    /// <summary>What the key let in: <see cref="AdminAccess"/>, for the status page to show or hide its actions.</summary>
    public static AdminAccess AccessOf(HttpContext context) =>
        context?.Items[AccessItem] is AdminAccess access ? access : AdminAccess.ReadOnly;

    private static bool Matches(byte[] sentHash, byte[]? keyHash) =>
        keyHash is not null && CryptographicOperations.FixedTimeEquals(sentHash, keyHash);

    // Hashes first, so that the comparison takes as long whatever the lengths.
    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}

/// <summary>The hashes of one version of the admin keys.</summary>
internal sealed record KeyHashes(byte[]? Admin, byte[]? ReadOnly);

/// <summary>Which key a request to the admin API came with.</summary>
internal enum AdminAccess
{
    ReadOnly,
    Admin,
}

/// <summary>Endpoint metadata: the read-only key opens this admin endpoint too (it only reads).</summary>
internal sealed class ReadOnlyKeyAllowed
{
    public static readonly ReadOnlyKeyAllowed Instance = new();
}

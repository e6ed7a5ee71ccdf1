using System.Security.Cryptography;
using System.Text;
using EnrichProxy.Configuration;
using Microsoft.Extensions.Options;

namespace EnrichProxy.Enrichment.Webhooks;

/// <summary>
/// Lets a webhook through only with the Basic credentials the Arr is configured to send
/// (<c>EnrichProxy:Webhooks:Username</c> and <c>Password</c>). With none set, every webhook is refused, unless
/// <c>EnrichProxy:Webhooks:AllowAnonymous</c>: a webhook purges, and anyone who reaches the port could send one.
/// </summary>
internal sealed class WebhookAuthFilter(IOptions<EnrichProxyOptions> options) : IEndpointFilter
{
    private readonly WebhookOptions _options = options.Value.Webhooks;
    private readonly byte[]? _expected = options.Value.Webhooks.HasCredentials
        ? Hash($"{options.Value.Webhooks.Username}:{options.Value.Webhooks.Password}")
        : null;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (!_options.RequiresCredentials)
        {
            return await next(context);
        }

        if (_expected is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Webhooks need credentials",
                detail: "No webhook credentials are set: set EnrichProxy:Webhooks:Username and Password, and the same in the Arr's webhook connection.");
        }

        if (!IsAuthorized(context.HttpContext.Request.Headers.Authorization.ToString()))
        {
            context.HttpContext.Response.Headers.WWWAuthenticate = "Basic realm=\"EnrichProxy webhooks\"";
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Webhook credentials required",
                detail: "Set the webhook connection's username and password to EnrichProxy:Webhooks:Username and Password.");
        }

        return await next(context);
    }

    private bool IsAuthorized(string authorization)
    {
        const string Scheme = "Basic ";
        if (!authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        string credentials;
        try
        {
            credentials = Encoding.UTF8.GetString(Convert.FromBase64String(authorization[Scheme.Length..].Trim()));
        }
        catch (FormatException)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Hash(credentials), _expected);
    }

    private static byte[] Hash(string credentials) => SHA256.HashData(Encoding.UTF8.GetBytes(credentials));
}

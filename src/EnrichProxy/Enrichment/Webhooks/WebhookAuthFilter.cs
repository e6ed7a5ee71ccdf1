using System.Security.Cryptography;
using System.Text;
using EnrichProxy.Configuration;
using Microsoft.Extensions.Options;

namespace EnrichProxy.Enrichment.Webhooks;

/// <summary>With <c>EnrichProxy:Webhooks:Password</c> set, lets a webhook through only with the Basic credentials the Arr is configured to send.</summary>
internal sealed class WebhookAuthFilter(IOptions<EnrichProxyOptions> options) : IEndpointFilter
{
    private readonly byte[]? _expected = options.Value.Webhooks.RequiresCredentials
        ? Hash($"{options.Value.Webhooks.Username}:{options.Value.Webhooks.Password}")
        : null;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (_expected is not null && !IsAuthorized(context.HttpContext.Request.Headers.Authorization.ToString()))
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

using EnrichProxy.Configuration;
using EnrichProxy.Errors;
using Microsoft.Extensions.Options;

namespace EnrichProxy.Interception;

/// <summary>
/// <c>GET /ca.crt</c>: the proxy CA's certificate (PEM), never its key, for clients to trust. Anyone who can reach
/// the main port may read it: a certificate is public by nature, and its name constraints limit it to the
/// intercepted hosts.
/// </summary>
internal static class CaCertificateEndpoint
{
    public const string Path = "/ca.crt";

    public static async Task HandleAsync(HttpContext context, CertificateAuthority authority, IOptions<EnrichProxyOptions> options)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(authority);
        if (!InterceptionSetup.IsEnabled(options.Value))
        {
            await ProblemResponses.WriteAsync(context, StatusCodes.Status404NotFound, "Interception is off",
                "Neither the forward proxy nor the TLS front door is enabled, so the proxy has no CA to trust.");
            return;
        }

        context.Response.ContentType = "application/x-pem-file";
        context.Response.Headers.ContentDisposition = "attachment; filename=\"enrichproxy-ca.crt\"";
        await context.Response.WriteAsync(authority.CertificatePem, context.RequestAborted);
    }
}

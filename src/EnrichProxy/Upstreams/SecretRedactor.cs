using System.Text;

namespace EnrichProxy.Upstreams;

/// <summary>
/// Replaces an upstream's key wherever an answer echoes it (some APIs repeat the request URL in error
/// bodies and redirects), so it never reaches a client or the cache.
/// </summary>
internal static class SecretRedactor
{
    public const string Redacted = "[REDACTED]";

    public static string Redact(string value, string? secret) =>
        !string.IsNullOrEmpty(secret) && value.Contains(secret, StringComparison.Ordinal)
            ? value.Replace(secret, Redacted, StringComparison.Ordinal)
            : value;

    public static byte[] Redact(byte[] body, string? secret)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (string.IsNullOrEmpty(secret) || body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)) < 0)
        {
            return body;
        }

        return Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(body).Replace(secret, Redacted, StringComparison.Ordinal));
    }
}

using System.Net.Http.Json;

namespace EnrichProxy.IntegrationTests.Infrastructure;

/// <summary>Calls of the admin API, with its key.</summary>
internal static class AdminClient
{
    public const string Key = "admin-key-for-tests-0123456789";

    public const string ReadOnlyKey = "read-only-key-for-tests-0123456789";

    public static (string Key, string Value) Enabled => ("EnrichProxy:Admin:ApiKey", Key);

    public static (string Key, string Value) ReadOnlyEnabled => ("EnrichProxy:Admin:ReadOnlyApiKey", ReadOnlyKey);

    public static async Task<HttpResponseMessage> PurgeAsync(this ProxyHost proxy, object body, string? key = Key)
    {
        ArgumentNullException.ThrowIfNull(proxy);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/purge") { Content = JsonContent.Create(body) };
        if (key is not null)
        {
            request.Headers.Add("X-Admin-Key", key);
        }

        return await proxy.Client.SendAsync(request);
    }

    /// <summary>POSTs <paramref name="body"/> (or nothing) to an admin endpoint.</summary>
    public static async Task<HttpResponseMessage> PostAdminAsync(this ProxyHost proxy, string path, object? body = null, string? key = Key)
    {
        ArgumentNullException.ThrowIfNull(proxy);
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = body is null ? null : JsonContent.Create(body) };
        if (key is not null)
        {
            request.Headers.Add("X-Admin-Key", key);
        }

        return await proxy.Client.SendAsync(request);
    }

    public static async Task<HttpResponseMessage> StatsAsync(this ProxyHost proxy, string? key = Key)
    {
        ArgumentNullException.ThrowIfNull(proxy);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/stats");
        if (key is not null)
        {
            request.Headers.Add("X-Admin-Key", key);
        }

        return await proxy.Client.SendAsync(request);
    }
}

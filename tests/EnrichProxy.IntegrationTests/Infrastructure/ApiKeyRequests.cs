namespace EnrichProxy.IntegrationTests.Infrastructure;

/// <summary>Requests as an Arr app or a client holding an Arr instance's key (or the proxy's inbound key) sends them.</summary>
internal static class ApiKeyRequests
{
    public static async Task<HttpResponseMessage> GetWithApiKeyAsync(this ProxyHost proxy, string path, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-Api-Key", key);
        return await proxy.Client.SendAsync(request);
    }
}

namespace EnrichProxy.IntegrationTests.Infrastructure;

internal static class ResponseAssertions
{
    public static string XCache(this HttpResponseMessage response) =>
        response.Headers.TryGetValues("X-Cache", out var values) ? string.Join(",", values) : "(none)";

    public static string CacheStatus(this HttpResponseMessage response) =>
        response.Headers.TryGetValues("Cache-Status", out var values) ? string.Join(", ", values) : "(none)";

    public static int? AgeSeconds(this HttpResponseMessage response) =>
        response.Headers.Age is { } age ? (int)age.TotalSeconds : null;

    public static async Task<string> BodyAsync(this HttpResponseMessage response) =>
        await response.Content.ReadAsStringAsync();
}

using System.Text.Json;

namespace EnrichProxy.Errors;

/// <summary>Reads a JSON request body of the API's own endpoints, telling malformed from too large (the endpoint's size limit).</summary>
internal static class JsonBodies
{
    /// <returns>The body, or null when it is not JSON of that shape; <c>TooLarge</c> when it passed the endpoint's limit.</returns>
    public static async Task<(T? Body, bool TooLarge)> ReadAsync<T>(HttpContext context, JsonSerializerOptions? options = null)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            return (await JsonSerializer.DeserializeAsync<T>(context.Request.Body, options, context.RequestAborted), false);
        }
        catch (JsonException)
        {
            return (null, false);
        }
        catch (BadHttpRequestException tooLarge) when (tooLarge.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, true);
        }
    }
}

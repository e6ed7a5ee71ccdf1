using Microsoft.Net.Http.Headers;

namespace EnrichProxy.Caching.Http;

/// <summary>The validators of a stored answer: its <c>ETag</c> and <c>Last-Modified</c>, read from its headers when a request needs them.</summary>
internal readonly record struct StoredValidators(EntityTagHeaderValue? ETag, DateTimeOffset? LastModified)
{
    public static StoredValidators Of(CachedResponse entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new StoredValidators(
            entry.Header(HeaderNames.ETag) is { } etag && EntityTagHeaderValue.TryParse(etag, out var parsed) ? parsed : null,
            entry.Header(HeaderNames.LastModified) is { } lastModified && HeaderUtilities.TryParseDate(lastModified, out var date) ? date : null);
    }
}

using Microsoft.Net.Http.Headers;

namespace EnrichProxy.Caching.Http;

/// <summary>The validators of a stored answer: its <c>ETag</c> and <c>Last-Modified</c>, read from its headers when a request needs them.</summary>
internal readonly record struct StoredValidators(EntityTagHeaderValue? ETag, DateTimeOffset? LastModified)
{
    public bool Any => ETag is not null || LastModified is not null;

    public static StoredValidators Of(CachedResponse entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        EntityTagHeaderValue? etag = null;
        DateTimeOffset? lastModified = null;
        foreach (var header in entry.Headers)
        {
            if (etag is null && header.Name.Equals(HeaderNames.ETag, StringComparison.OrdinalIgnoreCase)
                && EntityTagHeaderValue.TryParse(header.Value, out var parsed))
            {
                etag = parsed;
            }
            else if (lastModified is null && header.Name.Equals(HeaderNames.LastModified, StringComparison.OrdinalIgnoreCase)
                && HeaderUtilities.TryParseDate(header.Value, out var date))
            {
                lastModified = date;
            }
        }

        return new StoredValidators(etag, lastModified);
    }
}

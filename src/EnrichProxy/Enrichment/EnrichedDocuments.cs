using System.Text.Json.Nodes;
using EnrichProxy.Caching.Purging;
using EnrichProxy.Configuration;
using EnrichProxy.Enrichment.Overrides;
using Microsoft.Extensions.Options;
using ZiggyCreatures.Caching.Fusion;

namespace EnrichProxy.Enrichment;

/// <summary>
/// The cache tier: assembled documents in FusionCache (memory, then Redis or the disk file), fresh for
/// <see cref="EnrichmentOptions.Ttl"/> and kept for <see cref="EnrichmentOptions.StaleIfError"/> as the
/// answer while every tier fails. A purge of one of the item's tags covers its document too.
/// </summary>
internal sealed class EnrichedDocuments
{
    private readonly IFusionCache _cache;
    private readonly Purger _purger;
    private readonly FusionCacheEntryOptions _fresh;
    private readonly FusionCacheEntryOptions _staleAllowed;

    public EnrichedDocuments(IFusionCache cache, Purger purger, IOptions<EnrichProxyOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _cache = cache;
        _purger = purger;
        var settings = options.Value.Enrichment;
        _fresh = new FusionCacheEntryOptions
        {
            Duration = settings.Ttl,
            IsFailSafeEnabled = true,
            FailSafeMaxDuration = settings.Ttl + settings.StaleIfError,
            JitterMaxDuration = TimeSpan.Zero,
            Size = 4096,
        };
        _staleAllowed = _fresh.Duplicate();
        _staleAllowed.AllowStaleOnReadOnly = true;
    }

    /// <summary>The document if cached, fresh and not purged. A purged one stays in the cache as the fallback of <see cref="GetStaleAsync"/>.</summary>
    public async Task<JsonObject?> GetAsync(ItemKey item, DocumentView view, IEnumerable<string> tags, CancellationToken cancellationToken)
    {
        var stored = await _cache.TryGetAsync<StoredDocument>(Key(item, view), _fresh, cancellationToken);
        return stored.HasValue && !tags.Any(tag => _purger.IsTagPurged(tag, stored.Value.RequestedAt))
            ? JsonNode.Parse(stored.Value.Json)!.AsObject()
            : null;
    }

    /// <summary>
    /// The last document, past its TTL and whatever purges came since: the answer while every tier fails,
    /// since an outdated document says more than a 502.
    /// </summary>
    public async Task<JsonObject?> GetStaleAsync(ItemKey item, DocumentView view, CancellationToken cancellationToken)
    {
        var stored = await _cache.TryGetAsync<StoredDocument>(Key(item, view), _staleAllowed, cancellationToken);
        return stored.HasValue ? JsonNode.Parse(stored.Value.Json)!.AsObject() : null;
    }

    /// <summary>Stores a complete document; <paramref name="requestedAt"/> is when its first tier was asked, so a purge made after it covers it.</summary>
    public ValueTask SetAsync(ItemKey item, DocumentView view, JsonObject document, DateTimeOffset requestedAt)
    {
        ArgumentNullException.ThrowIfNull(document);
        var json = document.ToJsonString();
        var options = _fresh.Duplicate();
        options.Size = 512 + (2L * json.Length);
        return _cache.SetAsync(Key(item, view), new StoredDocument(json, requestedAt), options);
    }

    /// <summary>The tag of an item's document alone (<c>enrich:movies:603</c>), which webhooks purge.</summary>
    public static string Tag(ItemKey item) => $"enrich:{ItemKey.KindName(item.Kind)}:{item.Id}";

    // The views apart; the item's tags cover both.
    private static string Key(ItemKey item, DocumentView view) =>
        $"enrich|{ItemKey.KindName(item.Kind)}|{item.Id}" + (view == DocumentView.Public ? "|public" : string.Empty);

    /// <summary>A document as cached.</summary>
    internal sealed record StoredDocument(string Json, DateTimeOffset RequestedAt);
}

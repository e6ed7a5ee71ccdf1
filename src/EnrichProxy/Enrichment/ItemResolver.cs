using System.Text.Json.Nodes;
using EnrichProxy.Background;
using EnrichProxy.Configuration;
using EnrichProxy.Enrichment.Overrides;
using Microsoft.Extensions.Options;

namespace EnrichProxy.Enrichment;

/// <summary>
/// The priority chain: the cached document; the Arr library; the operator's overrides; the external
/// APIs; and, for what an answer could not wait for, the background. Every upstream read goes through
/// the proxy's own cached routes, so it shares their cache, purges, rate limits and circuit breakers.
/// </summary>
internal sealed partial class ItemResolver(
    ItemSources sources,
    IOverrideStore overrides,
    EnrichedDocuments documents,
    BackgroundQueue queue,
    IOptions<EnrichProxyOptions> options,
    TimeProvider time,
    ILogger<ItemResolver> logger)
{
    /// <summary>The document of <paramref name="item"/> in <paramref name="view"/>, with only <paramref name="fields"/> when given (null: every field).</summary>
    public async Task<EnrichmentAnswer> ResolveAsync(
        ItemKindDefinition kind, ItemKey item, IReadOnlyList<string>? fields, DocumentView view, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kind);
        if (await documents.GetAsync(item, view, Tags(kind, item), cancellationToken) is { } cached)
        {
            return EnrichmentAnswer.Found(DocumentAssembly.Project(cached, fields), Tiers.Cache, []);
        }

        return await AssembleAsync(kind, item, fields, view, inBackground: false, cancellationToken);
    }

    /// <summary>
    /// Makes sure the document of <paramref name="item"/> is cached, for the warm-up: the whole chain without a
    /// soft timeout, so nothing is handed on to the refresh lane.
    /// </summary>
    /// <returns>How the warm-up job ended.</returns>
    public async Task<JobResult> WarmAsync(ItemKindDefinition kind, ItemKey item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kind);
        if (await documents.GetAsync(item, DocumentView.Library, Tags(kind, item), cancellationToken) is not null)
        {
            return JobResult.Cached;
        }

        var answer = await AssembleAsync(kind, item, null, DocumentView.Library, inBackground: true, cancellationToken);
        return answer switch
        {
            { Outcome: EnrichmentOutcome.Failed } or { FailedTiers.Count: > 0 } => JobResult.Failed,
            { Document: { } document } when document["complete"]?.GetValue<bool>() == true => JobResult.Stored,
            _ => JobResult.NotStored,
        };
    }

    private async Task<EnrichmentAnswer> AssembleAsync(
        ItemKindDefinition kind, ItemKey item, IReadOnlyList<string>? fields, DocumentView view, bool inBackground, CancellationToken cancellationToken)
    {
        var asked = fields ?? kind.Fields;
        var requestedAt = time.GetUtcNow();
        var failed = new List<string>();

        // The public view is built without the Arr: it is never asked, with the proxy's key, for someone without one.
        var library = view == DocumentView.Library ? await ReadLibraryAsync(kind, item, cancellationToken) : LibraryRead.NotAsked;
        if (library.Failed)
        {
            failed.Add(Tiers.Arr);
        }

        var own = await ReadOverrideAsync(item, failed, cancellationToken);

        // External only for what the library and the overrides do not already answer.
        var needExternal = asked.Any(field => own?.Fields.ContainsKey(field) != true && library.Fields?.ContainsKey(field) != true);
        ExternalRead? external = null;
        Task<ExternalRead>? stillComing = null;
        if (needExternal)
        {
            var read = ReadExternalAsync(kind, item);
            if (!inBackground && (library.Found || own is not null))
            {
                // Something already answers: the external APIs get until the soft timeout, then the answer goes without them.
                var softTimeout = Task.Delay(options.Value.Enrichment.ExternalSoftTimeout, time, cancellationToken);
                if (await Task.WhenAny(read, softTimeout) == read)
                {
                    external = await read;
                }
                else
                {
                    stillComing = read;
                }
            }
            else
            {
                external = await read.WaitAsync(cancellationToken);
            }
        }

        if (external is { Failed: true })
        {
            failed.Add(Tiers.External);
        }

        if (!library.Found && external?.Fields is null
            && (own is null || (library.Failed && external is { Failed: true })))
        {
            // Nothing found, or only the overrides while the library and the external APIs both failed:
            // the last whole document (overrides applied when it was made) is the better answer.
            return await NothingFoundAsync(kind, item, fields, view, failed, own, cancellationToken);
        }

        var ids = DocumentAssembly.MergeIds(kind.IdsOf(item), library.Ids, external?.Ids);
        var (document, origins) = DocumentAssembly.Merge(ids, asked, (Tiers.Internal, own?.Fields), (Tiers.Arr, library.Fields), (Tiers.External, external?.Fields));
        DocumentAssembly.AddExtraOverrides(document, origins, fields, own?.Fields);
        document["library"] = library.Library?.DeepClone();

        // Complete only when every tier answered: a document without the library or the overrides is not cached as if whole.
        var complete = failed.Count == 0 && stillComing is null && external is not { Incomplete: true };
        document["sources"] = origins;
        document["complete"] = complete;

        if (fields is null && complete)
        {
            await documents.SetAsync(item, view, document, requestedAt);
        }
        else if (fields is null && !inBackground && (stillComing is not null || external is { Incomplete: true }))
        {
            // The background tier: the same chain again without a soft timeout; reads still on their way
            // are joined (the routes' fills are shared), not sent twice.
            queue.TryEnqueue(new BackgroundJob(JobKind.Enrich, $"enrich|{item}|{view}", QueueLane.Refresh, Depth: 0, async cancellationToken =>
                (await AssembleAsync(kind, item, null, view, inBackground: true, cancellationToken)).Document?["complete"]?.GetValue<bool>() == true
                    ? JobResult.Stored
                    : JobResult.NotStored));
        }

        var answeredBy = library.Found ? Tiers.Arr : own is not null ? Tiers.Internal : Tiers.External;
        return EnrichmentAnswer.Found(document, answeredBy, failed);
    }

    // The document's own tag, and those of the kind's routes whose purges cover it.
    internal static List<string> Tags(ItemKindDefinition kind, ItemKey item) =>
        [EnrichedDocuments.Tag(item), .. kind.CoveringTags.Select(tag => tag.Replace("{id}", item.Id, StringComparison.Ordinal))];

    // Not found, unless a tier failed to say; then the last document, however old or purged since.
    private async Task<EnrichmentAnswer> NothingFoundAsync(
        ItemKindDefinition kind, ItemKey item, IReadOnlyList<string>? fields, DocumentView view, List<string> failed, ItemOverride? own, CancellationToken cancellationToken)
    {
        if (failed.Count == 0)
        {
            return new EnrichmentAnswer(EnrichmentOutcome.NotFound, null, null, []);
        }

        if (await documents.GetStaleAsync(item, view, cancellationToken) is { } stale)
        {
            return EnrichmentAnswer.Found(DocumentAssembly.Project(stale, fields), Tiers.Cache, failed);
        }

        return own is null
            ? new EnrichmentAnswer(EnrichmentOutcome.Failed, null, null, failed)
            : FromOverridesOnly(kind, item, fields, failed, own);
    }

    // The library and the external APIs failed and nothing is cached: what the operator said is all there is.
    private static EnrichmentAnswer FromOverridesOnly(ItemKindDefinition kind, ItemKey item, IReadOnlyList<string>? fields, List<string> failed, ItemOverride own)
    {
        var (document, origins) = DocumentAssembly.Merge(kind.IdsOf(item), fields ?? kind.Fields, (Tiers.Internal, own.Fields));
        DocumentAssembly.AddExtraOverrides(document, origins, fields, own.Fields);
        document["library"] = null;
        document["sources"] = origins;
        document["complete"] = false;
        return EnrichmentAnswer.Found(document, Tiers.Internal, failed);
    }

    private async Task<LibraryRead> ReadLibraryAsync(ItemKindDefinition kind, ItemKey item, CancellationToken cancellationToken)
    {
        try
        {
            return await sources.ReadLibraryAsync(kind, item, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogSourceFailed(logger, Tiers.Arr, item.ToString(), exception.GetType().Name);
            return LibraryRead.Failure;
        }
    }

    private async Task<ExternalRead> ReadExternalAsync(ItemKindDefinition kind, ItemKey item)
    {
        try
        {
            return await sources.ReadExternalAsync(kind, item);
        }
#pragma warning disable CA1031 // Whatever an upstream sends, a failed tier is an answer the chain can give.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            LogSourceFailed(logger, Tiers.External, item.ToString(), exception.GetType().Name);
            return ExternalRead.Failure;
        }
    }

    private async Task<ItemOverride?> ReadOverrideAsync(ItemKey item, List<string> failed, CancellationToken cancellationToken)
    {
        try
        {
            return await overrides.GetAsync(item, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            var error = exception.GetType().Name;
            LogOverridesFailed(logger, item.ToString(), error);
            failed.Add(Tiers.Internal);
            return null;
        }
    }

    [LoggerMessage(EventId = 6004, EventName = "EnrichmentSourceFailed", Level = LogLevel.Warning,
        Message = "The {Tier} tier failed for {Item} ({Error})")]
    private static partial void LogSourceFailed(ILogger logger, string tier, string item, string error);

    [LoggerMessage(EventId = 6003, EventName = "OverridesUnavailable", Level = LogLevel.Warning,
        Message = "The overrides of {Item} could not be read ({Error})")]
    private static partial void LogOverridesFailed(ILogger logger, string item, string error);
}

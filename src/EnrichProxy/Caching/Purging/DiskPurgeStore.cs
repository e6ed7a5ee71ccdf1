using System.Text.Json;

namespace EnrichProxy.Caching.Purging;

/// <summary>
/// Markers in a JSON file next to the embedded disk cache, rewritten whole on each purge (write, then
/// rename over the old file, so a crash leaves the old or the new file, never half of one).
/// </summary>
internal sealed class DiskPurgeStore(string path) : IPurgeStore, IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly SemaphoreSlim _writing = new(1, 1);

    public event Action<PurgeMarker>? Received
    {
        add { }
        remove { }
    }

    public bool? IsListening => null;

    public async Task<IReadOnlyList<PurgeMarker>> LoadAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        var stream = File.OpenRead(path);
        await using (stream)
        {
            var markers = await JsonSerializer.DeserializeAsync<List<PurgeMarker?>>(stream, Json, cancellationToken) ?? [];
            return [.. markers.OfType<PurgeMarker>().Where(marker => marker.IsWellFormed)];
        }
    }

    public async Task SaveAsync(PurgeMarker marker, Func<IReadOnlyCollection<PurgeMarker>> all, DateTimeOffset pruneBefore, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(all);
        await _writing.WaitAsync(cancellationToken);
        try
        {
            // Read under the lock: of two concurrent purges, the one written last must hold both markers.
            var kept = all().Where(m => m.PurgedAt >= pruneBefore).ToList();
            var temporary = path + ".tmp";
            var stream = File.Create(temporary);
            await using (stream)
            {
                await JsonSerializer.SerializeAsync(stream, kept, Json, cancellationToken);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            _writing.Release();
        }
    }

    public Task SubscribeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _writing.Dispose();
}

namespace EnrichProxy.Caching;

/// <summary>
/// The <see cref="IFillListener"/>s the fill path tells. Listeners join once they are running rather than
/// being handed to the cache: they read through the cache themselves, which a constructor dependency
/// would make a cycle.
/// </summary>
internal sealed class FillListeners
{
    private volatile IFillListener[] _listeners = [];
    private readonly Lock _gate = new();

    public void Add(IFillListener listener)
    {
        lock (_gate)
        {
            _listeners = [.. _listeners, listener];
        }
    }

    public void Remove(IFillListener listener)
    {
        lock (_gate)
        {
            _listeners = [.. _listeners.Where(l => !ReferenceEquals(l, listener))];
        }
    }

    /// <summary>Tells every listener that <paramref name="entry"/> was stored fresh for <paramref name="read"/>.</summary>
    public void Stored(CacheRead read, CachedResponse entry)
    {
        foreach (var listener in _listeners)
        {
            listener.Stored(read, entry);
        }
    }
}

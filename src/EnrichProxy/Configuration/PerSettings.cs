namespace EnrichProxy.Configuration;

/// <summary>
/// A value derived from one version of some settings (the admin keys' hashes, the intercepted hosts), made again only
/// when an accepted configuration change has replaced those settings: options monitors hand out a new instance per
/// change, so the instance itself says which version a value belongs to. Safe to share between threads: a race makes
/// the value twice, never a wrong one.
/// </summary>
internal sealed class PerSettings<TSettings, TValue>(Func<TSettings, TValue> derive)
    where TSettings : class
{
    private volatile Derived? _current;

    public TValue For(TSettings settings)
    {
        var current = _current;
        if (current is null || !ReferenceEquals(current.From, settings))
        {
            current = new Derived(settings, derive(settings));
            _current = current;
        }

        return current.Value;
    }

    private sealed record Derived(TSettings From, TValue Value);
}

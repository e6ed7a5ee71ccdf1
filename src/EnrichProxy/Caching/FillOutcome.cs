namespace EnrichProxy.Caching;

/// <summary>
/// The result of one fill, shared by every client that waited for it.
/// </summary>
/// <param name="Value">The answer for every waiter; when it is a pass-through, each waiter is forwarded instead.</param>
/// <param name="PrivateAnswer">An answer that belongs only to the client whose request started the fill.</param>
internal sealed record FillOutcome(CachedResponse Value, CachedResponse? PrivateAnswer = null);

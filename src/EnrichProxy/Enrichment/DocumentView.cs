namespace EnrichProxy.Enrichment;

/// <summary>
/// Whom a document is built for, each view cached apart. A caller with the library's key (the Arr instance's own or
/// the proxy's <c>InboundApiKey</c>, see <see cref="LibraryAccess"/>) gets the Arr tier: its fields and its library
/// state. Anyone else gets a document built without it: nothing of the library shows (not even which tier
/// answered), and no request of theirs spends the Arr's key or its rate budget.
/// </summary>
internal enum DocumentView
{
    Library,
    Public,
}

namespace EnrichProxy.Enrichment;

/// <summary>The kinds of item the enrichment API serves, named as in its paths.</summary>
internal enum ItemKind
{
    Movies,
    Series,
    Artists,
}

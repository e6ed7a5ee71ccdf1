namespace EnrichProxy.Upstreams;

/// <summary>One response header as an answer is kept and replayed: a name and one of its values.</summary>
internal readonly record struct ResponseHeader(string Name, string Value);

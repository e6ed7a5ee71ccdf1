namespace EnrichProxy.Caching.Http;

/// <summary>What a request's conditions and range make of a stored answer (RFC 9110 sections 13 and 14).</summary>
internal enum SelectionKind
{
    /// <summary>The whole answer, as stored.</summary>
    Full,

    /// <summary><c>304 Not Modified</c>: the client's copy is current (<c>If-None-Match</c>, <c>If-Modified-Since</c>).</summary>
    NotModified,

    /// <summary><c>412 Precondition Failed</c> (<c>If-Match</c>, <c>If-Unmodified-Since</c>).</summary>
    PreconditionFailed,

    /// <summary><c>206 Partial Content</c>: one byte range of the body.</summary>
    Partial,

    /// <summary><c>416 Range Not Satisfiable</c>: the range lies outside the body.</summary>
    RangeNotSatisfiable,
}

/// <summary>A <see cref="SelectionKind"/>, with the byte range of a <see cref="SelectionKind.Partial"/> answer.</summary>
internal readonly record struct Selection(SelectionKind Kind, long Start = 0, long Length = 0)
{
    public static Selection Full => default;
}

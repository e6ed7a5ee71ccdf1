namespace EnrichProxy.Upstreams;

/// <summary>What an upstream answered to a fetch, before the cache decides what to do with it.</summary>
internal sealed record UpstreamAnswer
{
    public required int StatusCode { get; init; }

    /// <summary>The response headers after the route's response transforms, those never replayed removed (<see cref="ReplayedHeaders"/>).</summary>
    public required ResponseHeader[] Headers { get; init; }

    /// <summary>The whole body; null when it was larger than the caller allows and was not read.</summary>
    public required byte[]? Body { get; init; }

    /// <summary>The cookies the upstream set: never replayed to anyone else, but the client whose request this was gets them.</summary>
    public string[] SetCookies { get; init; } = [];

    public bool HasSetCookie => SetCookies.Length > 0;

    /// <summary>When the request was sent: what the upstream answered may be as old as this.</summary>
    public DateTimeOffset SentAt { get; init; }

    public DateTimeOffset ReceivedAt { get; init; }

    /// <summary>The origin's <c>Date</c>, which is not replayed (the proxy writes its own) but counts in the answer's age.</summary>
    public DateTimeOffset? OriginDate { get; init; }

    /// <summary>The <c>Age</c> the upstream (or a cache before it) gave, which is not replayed but counts in the answer's age.</summary>
    public TimeSpan? OriginAge { get; init; }

    public bool IsTooLarge => Body is null;

    /// <summary>Whether the upstream says it failed or is overloaded (5xx, 429, 408), rather than answering the question.</summary>
    public bool IsFailure => StatusCode >= 500 || StatusCode is StatusCodes.Status429TooManyRequests or StatusCodes.Status408RequestTimeout;

    public string? Header(string name) => ResponseHeader.Find(Headers, name);

    /// <summary>The status only: headers and body are the upstream's, not for logs.</summary>
    public override string ToString() => $"{StatusCode}";
}

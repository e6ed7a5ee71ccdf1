namespace EnrichProxy.Upstreams;

/// <summary>What an upstream answered to a fetch, before the cache decides what to do with it.</summary>
internal sealed class UpstreamAnswer
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

    public bool IsTooLarge => Body is null;

    /// <summary>Whether the upstream says it failed or is overloaded (5xx, 429, 408), rather than answering the question.</summary>
    public bool IsFailure => StatusCode >= 500 || StatusCode is StatusCodes.Status429TooManyRequests or StatusCodes.Status408RequestTimeout;

    public string? Header(string name)
    {
        foreach (var header in Headers)
        {
            if (string.Equals(header.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return header.Value;
            }
        }

        return null;
    }
}

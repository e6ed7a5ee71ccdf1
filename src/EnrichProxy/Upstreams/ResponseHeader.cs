namespace EnrichProxy.Upstreams;

/// <summary>One response header as an answer is kept and replayed: a name and one of its values.</summary>
internal readonly record struct ResponseHeader(string Name, string Value)
{
    /// <summary>The first value of the header <paramref name="name"/> among <paramref name="headers"/>, or null.</summary>
    public static string? Find(ReadOnlySpan<ResponseHeader> headers, string name)
    {
        foreach (var header in headers)
        {
            if (string.Equals(header.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return header.Value;
            }
        }

        return null;
    }
}

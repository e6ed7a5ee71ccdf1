namespace EnrichProxy.Admin;

/// <summary>The body of <c>POST /admin/purge</c>: exactly one of the three.</summary>
internal sealed record PurgeRequest(string? Url, string? Route, string? Tag);

/// <summary>The answer to a purge: what was purged (a URL as the cache sees it: credentials removed, query sorted), and from when on answers count as new.</summary>
internal sealed record PurgeResult(string Scope, string Value, DateTimeOffset PurgedAt);

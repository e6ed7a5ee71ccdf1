using System.Collections.Frozen;
using EnrichProxy.Configuration;
using EnrichProxy.Upstreams;
using Microsoft.Extensions.Options;

namespace EnrichProxy.Caching.Purging;

/// <summary>
/// The URL a purge by <c>url</c> names, reduced to what identifies its answers whatever route serves it:
/// the path and the sorted query without credentials and without any parameter a policy leaves out of
/// its keys. Leaving out a parameter only one policy ignores can purge a little more than asked, never less.
/// </summary>
internal sealed class PurgeUrls
{
    private readonly FrozenSet<string> _leftOut;
    private readonly Func<string, bool> _isLeftOut;

    public PurgeUrls(IOptions<EnrichProxyOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Value;
        _leftOut = settings.Policies.Values.SelectMany(policy => policy.IgnoreQueryParameters)
            .Concat(settings.Upstreams.Values.Select(upstream => upstream.EffectiveKeyName))
            .ToFrozenSet(StringComparer.OrdinalIgnoreCase);
        _isLeftOut = name => ClientCredentials.IsCredentialQueryParameter(name, null) || _leftOut.Contains(name);
    }

    /// <summary>The URL part of a request's purge identity, in its one spelling (<see cref="PurgeSpelling"/>).</summary>
    public string PartOf(string path, string query) => CacheKeyBuilder.UrlPart(PurgeSpelling.Path(path), query, _isLeftOut);

    /// <summary>Reads a URL as a client sent it, or an absolute one: <c>/tmdb/3/movie/603?language=en</c>.</summary>
    public bool TryNormalize(string? url, out string part)
    {
        part = string.Empty;
        if (string.IsNullOrWhiteSpace(url) || url.Length > 8192)
        {
            return false;
        }

        string target;
        if (url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal))
        {
            target = url;
        }
        else if (Uri.TryCreate(url, UriKind.Absolute, out var absolute) && (absolute.Scheme == Uri.UriSchemeHttp || absolute.Scheme == Uri.UriSchemeHttps))
        {
            target = absolute.PathAndQuery;
        }
        else
        {
            return false;
        }

        var hash = target.IndexOf('#', StringComparison.Ordinal);
        if (hash >= 0)
        {
            target = target[..hash];
        }

        var question = target.IndexOf('?', StringComparison.Ordinal);
        var path = question < 0 ? target : target[..question];
        var query = question < 0 ? string.Empty : target[question..];
        try
        {
            part = PartOf(PathString.FromUriComponent(path).Value ?? "/", query);
            return true;
        }
        catch (UriFormatException)
        {
            return false;
        }
    }
}

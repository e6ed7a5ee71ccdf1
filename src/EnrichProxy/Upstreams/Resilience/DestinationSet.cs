using Yarp.ReverseProxy.Model;

namespace EnrichProxy.Upstreams.Resilience;

/// <summary>
/// One cluster's destinations as configured now, each with its circuit, in the order a failover tries them
/// (<c>EnrichProxy:Upstreams:&lt;cluster&gt;:FailoverOrder</c>), and how a request built for one of them is
/// moved to another. Rebuilt only when the cluster's destinations change.
/// </summary>
internal sealed class DestinationSet
{
    private readonly IReadOnlyList<DestinationState> _builtFrom;
    private readonly DestinationModel?[] _models;

    private DestinationSet(IReadOnlyList<DestinationState> builtFrom, IReadOnlyList<Destination> inOrder, bool failsOver)
    {
        _builtFrom = builtFrom;
        _models = [.. builtFrom.Select(d => d.Model)];
        InOrder = inOrder;
        FailsOver = failsOver;
    }

    public static DestinationSet Empty { get; } = new([], [], failsOver: false);

    /// <summary>Whether a failed request moves on to the next destination (a failover order is configured and there is a next one).</summary>
    public bool FailsOver { get; }

    /// <summary>The destinations: in the failover order when there is one, else as configured.</summary>
    public IReadOnlyList<Destination> InOrder { get; }

    public static DestinationSet Build(
        IReadOnlyList<DestinationState> destinations, IReadOnlyList<string> failoverOrder, Func<string, DestinationCircuit> circuitFor)
    {
        ArgumentNullException.ThrowIfNull(destinations);
        ArgumentNullException.ThrowIfNull(failoverOrder);
        ArgumentNullException.ThrowIfNull(circuitFor);
        var known = destinations
            .Where(d => d.Model is not null && Uri.TryCreate(d.Model.Config.Address, UriKind.Absolute, out _))
            .Select(d => new Destination(d.DestinationId, new Uri(d.Model.Config.Address), circuitFor(d.DestinationId)))
            .ToList();
        // Listed destinations first, in their order; the validator makes sure every one is listed, so the
        // rest only shows up between a configuration change and its validation.
        var inOrder = known
            .OrderBy(d => Rank(failoverOrder, d.Id))
            .ThenBy(d => d.Id, StringComparer.OrdinalIgnoreCase)
            .ToList();
        return new DestinationSet(destinations, inOrder, failsOver: failoverOrder.Count > 0 && inOrder.Count > 1);
    }

    /// <summary>Whether this set was built from <paramref name="destinations"/> as they are now.</summary>
    public bool IsBuiltFrom(IReadOnlyList<DestinationState> destinations)
    {
        if (!ReferenceEquals(destinations, _builtFrom) || destinations.Count != _models.Length)
        {
            return false;
        }

        for (var i = 0; i < _models.Length; i++)
        {
            if (!ReferenceEquals(destinations[i].Model, _models[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The destination a request was addressed to: the one whose address it begins with (the longest, should two
    /// share a host), or the only one. Null when the request went somewhere the cluster does not list.
    /// </summary>
    public Destination? Of(Uri requestUri)
    {
        ArgumentNullException.ThrowIfNull(requestUri);
        if (InOrder.Count == 1)
        {
            return InOrder[0];
        }

        Destination? best = null;
        foreach (var destination in InOrder)
        {
            if (destination.Addresses(requestUri) && (best is null || destination.PathPrefix.Length > best.PathPrefix.Length))
            {
                best = destination;
            }
        }

        return best;
    }

    private static int Rank(IReadOnlyList<string> order, string destinationId)
    {
        for (var i = 0; i < order.Count; i++)
        {
            if (string.Equals(order[i], destinationId, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return int.MaxValue;
    }
}

/// <summary>One destination of a cluster: its address, split for matching, and its circuit.</summary>
internal sealed class Destination
{
    private readonly Uri _address;
    private readonly string _base;

    public Destination(string id, Uri address, DestinationCircuit circuit)
    {
        ArgumentNullException.ThrowIfNull(address);
        Id = id;
        _address = address;
        Circuit = circuit;
        PathPrefix = address.AbsolutePath.TrimEnd('/');
        _base = address.GetLeftPart(UriPartial.Authority) + PathPrefix;
    }

    public string Id { get; }

    public DestinationCircuit Circuit { get; }

    /// <summary>The address's path without its last slash, escaped as in a request's <see cref="Uri.AbsolutePath"/>.</summary>
    public string PathPrefix { get; }

    /// <summary>Whether <paramref name="requestUri"/> was built from this destination's address.</summary>
    public bool Addresses(Uri requestUri)
    {
        ArgumentNullException.ThrowIfNull(requestUri);
        if (!string.Equals(requestUri.Scheme, _address.Scheme, StringComparison.OrdinalIgnoreCase)
            || !string.Equals(requestUri.IdnHost, _address.IdnHost, StringComparison.OrdinalIgnoreCase)
            || requestUri.Port != _address.Port)
        {
            return false;
        }

        var path = requestUri.AbsolutePath;
        return path.StartsWith(PathPrefix, StringComparison.Ordinal) && (path.Length == PathPrefix.Length || path[PathPrefix.Length] == '/');
    }

    /// <summary>The same request at this destination: what followed <paramref name="from"/>'s address follows this one's.</summary>
    public Uri Rebase(Uri requestUri, Destination from)
    {
        ArgumentNullException.ThrowIfNull(requestUri);
        ArgumentNullException.ThrowIfNull(from);
        return new Uri(_base + requestUri.AbsolutePath[from.PathPrefix.Length..] + requestUri.Query, UriKind.Absolute);
    }
}

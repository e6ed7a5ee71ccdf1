using System.Runtime.CompilerServices;
using EnrichProxy.Configuration;
using Microsoft.Extensions.Options;

namespace EnrichProxy.Prefetching;

/// <summary>
/// The prefetch rules of every policy (<see cref="CachePolicyOptions.Prefetch"/>), parsed once per
/// configuration: the same parse serves the start-up check (<see cref="PrefetchRulesValidator"/>) and the prefetcher.
/// </summary>
internal sealed class PrefetchRules(IOptions<EnrichProxyOptions> options)
{
    // Per options instance, so that the validator and the prefetcher share one parse.
    private static readonly ConditionalWeakTable<EnrichProxyOptions, Parsed> Cache = [];

    /// <summary>The rules of the policy named <paramref name="policyName"/>; none for a policy without rules.</summary>
    public IReadOnlyList<PrefetchTemplate> For(string policyName) => Of(options.Value).Rules.GetValueOrDefault(policyName) ?? [];

    /// <summary>The rules of every policy of <paramref name="options"/>, and what could not be parsed.</summary>
    public static Parsed Of(EnrichProxyOptions options) => Cache.GetValue(options, Parse);

    private static Parsed Parse(EnrichProxyOptions options)
    {
        var rules = new Dictionary<string, IReadOnlyList<PrefetchTemplate>>(StringComparer.OrdinalIgnoreCase);
        var errors = new List<string>();
        foreach (var (policyName, policy) in options.Policies)
        {
            var parsed = new List<PrefetchTemplate>(policy.Prefetch.Count);
            foreach (var rule in policy.Prefetch)
            {
                try
                {
                    parsed.Add(PrefetchTemplate.Parse(rule));
                }
                catch (FormatException exception)
                {
                    errors.Add($"EnrichProxy:Policies:{policyName}:Prefetch: {exception.Message}");
                }
            }

            rules[policyName] = parsed;
        }

        return new Parsed(rules, errors);
    }

    /// <summary>The parsed rules by policy name, and the errors of those that did not parse.</summary>
    internal sealed record Parsed(Dictionary<string, IReadOnlyList<PrefetchTemplate>> Rules, IReadOnlyList<string> Errors);
}

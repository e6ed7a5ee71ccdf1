using System.Globalization;

namespace EnrichProxy.IntegrationTests.Infrastructure;

/// <summary>Reads numbers out of a Prometheus text scrape.</summary>
internal static class PrometheusText
{
    /// <summary>The value of the one sample of <paramref name="name"/> with these labels, or null when there is none.</summary>
    public static double? Value(string scrape, string name, params (string Name, string Value)[] labels)
    {
        ArgumentNullException.ThrowIfNull(scrape);
        var matches = Samples(scrape, name)
            .Where(line => labels.All(label => line.Contains($"{label.Name}=\"{label.Value}\"", StringComparison.Ordinal)))
            .ToList();
        Assert.True(matches.Count <= 1, $"more than one sample of {name} matches: {string.Join(" | ", matches)}");
        return matches.Count == 0 ? null : double.Parse(matches[0][(matches[0].LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
    }

    /// <summary>Whether the scrape has any sample of <paramref name="name"/>.</summary>
    public static bool Has(string scrape, string name) => Samples(scrape, name).Any();

    private static IEnumerable<string> Samples(string scrape, string name) =>
        scrape.Split('\n').Where(line => line.StartsWith(name + "{", StringComparison.Ordinal) || line.StartsWith(name + " ", StringComparison.Ordinal));
}

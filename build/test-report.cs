// Summarises a `dotnet test` run for people and for CI: line coverage of src/ merged over every test
// project (coverlet's Cobertura files), then the counts of the TRX files as the last line,
// "N passed, N failed, N skipped". Exits 1 when coverage is below the threshold.
// Usage: dotnet run build/test-report.cs -- <results directory> <minimum line coverage %>
using System.Globalization;
using System.Xml.Linq;

var results = args.Length > 0 ? args[0] : "TestResults";
var minimum = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 0;
var status = 0;

// A line is covered when any test project covered it.
var lines = new Dictionary<(string File, int Line), bool>();
foreach (var report in Directory.EnumerateFiles(results, "coverage.cobertura.xml", SearchOption.AllDirectories))
{
    var document = XDocument.Load(report);
    var sources = document.Descendants("source").Select(s => s.Value).ToList();
    foreach (var @class in document.Descendants("class"))
    {
        var file = @class.Attribute("filename")!.Value;
        var full = sources.Select(source => Path.GetFullPath(Path.Combine(source, file))).FirstOrDefault(File.Exists) ?? file;
        if (full.Replace('\\', '/').Contains("/obj/", StringComparison.Ordinal))
        {
            continue; // Source-generated code (logging), not written by us.
        }

        foreach (var line in @class.Element("lines")?.Elements("line") ?? [])
        {
            var key = (full, int.Parse(line.Attribute("number")!.Value, CultureInfo.InvariantCulture));
            var hit = long.Parse(line.Attribute("hits")!.Value, CultureInfo.InvariantCulture) > 0;
            lines[key] = lines.GetValueOrDefault(key) || hit;
        }
    }
}

if (lines.Count == 0)
{
    Console.WriteLine("Line coverage of src/: no coverage data found");
    status = 1;
}
else
{
    var covered = lines.Values.Count(hit => hit);
    var percent = 100.0 * covered / lines.Count;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Line coverage of src/: {percent:0.0}% ({covered} of {lines.Count} lines; minimum {minimum:0}%)"));
    if (percent < minimum)
    {
        Console.WriteLine("Line coverage is below the minimum.");
        status = 1;
    }
}

long passed = 0, failed = 0, skipped = 0;
XNamespace trx = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";
foreach (var file in Directory.EnumerateFiles(results, "*.trx", SearchOption.AllDirectories))
{
    var counters = XDocument.Load(file).Descendants(trx + "Counters").Single();
    long Count(string name) => long.Parse(counters.Attribute(name)?.Value ?? "0", CultureInfo.InvariantCulture);
    passed += Count("passed");
    failed += Count("failed") + Count("error") + Count("timeout") + Count("aborted");
    skipped += Count("total") - Count("executed");
}

Console.WriteLine($"{passed} passed, {failed} failed, {skipped} skipped");
return status;

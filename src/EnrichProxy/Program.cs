using EnrichProxy.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddEnrichProxy();

var app = builder.Build();
app.MapEnrichProxy();
app.Run();

/// <summary>The entry point, visible to the tests.</summary>
public partial class Program;

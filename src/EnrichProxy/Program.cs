using EnrichProxy.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddEnrichProxy();

var app = builder.Build();
app.MapEnrichProxy();
app.Run();

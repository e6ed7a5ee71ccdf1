using EnrichProxy.Hosting;

if (HealthcheckCommand.IsRequested(args))
{
    return await HealthcheckCommand.RunAsync(args, Console.Out);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddEnrichProxy();

var app = builder.Build();
app.MapEnrichProxy();
app.Run();
return 0;

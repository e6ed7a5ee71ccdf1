namespace EnrichProxy.Hosting;

/// <summary>
/// <c>http://localhost:5080</c> unless an address is configured. Set in code rather than as <c>Urls</c> in
/// config/appsettings.json: that key would win over <c>ASPNETCORE_URLS</c>, which ASP.NET Core reads
/// before any JSON file.
/// </summary>
internal static class DefaultAddress
{
    public const string Url = "http://localhost:5080";

    public static void Apply(WebApplicationBuilder builder)
    {
        if (IsUnset(builder.Configuration))
        {
            builder.WebHost.UseUrls(Url);
        }
    }

    /// <summary>No <c>--urls</c>, <c>ASPNETCORE_URLS</c>, <c>Urls</c>, <c>ASPNETCORE_HTTP(S)_PORTS</c> or Kestrel endpoints.</summary>
    internal static bool IsUnset(IConfiguration configuration) =>
        string.IsNullOrWhiteSpace(configuration["urls"])
        && string.IsNullOrWhiteSpace(configuration["http_ports"])
        && string.IsNullOrWhiteSpace(configuration["https_ports"])
        && !configuration.GetSection("Kestrel:Endpoints").Exists();
}

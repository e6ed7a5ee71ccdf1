using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using ZiggyCreatures.Caching.Fusion;

namespace EnrichProxy.Telemetry;

/// <summary>OpenTelemetry, wired once: Prometheus on <c>/metrics</c> always, OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.</summary>
internal static class TelemetryServiceCollectionExtensions
{
    /// <summary>The OpenTelemetry service name unless <c>OTEL_SERVICE_NAME</c> says otherwise.</summary>
    public const string ServiceName = "enrichproxy";

    public static IServiceCollection AddEnrichProxyTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var otlp = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource =>
            {
                // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, read by the default resource, win when set.
                if (string.IsNullOrWhiteSpace(configuration["OTEL_SERVICE_NAME"]))
                {
                    resource.AddService(ServiceName);
                }
            })
            .WithMetrics(metrics => metrics
                .AddMeter(EnrichProxyDiagnostics.MeterName, FusionCacheDiagnostics.MeterName)
                .AddHttpClientInstrumentation()
                .AddPrometheusExporter());

        if (otlp)
        {
            // Spans cost time on every request, so they are collected only when someone receives them. Logs
            // go along, with the trace and span ids of the request they belong to.
            telemetry
                .WithTracing(tracing => tracing
                    .AddSource(EnrichProxyDiagnostics.ActivitySourceName, FusionCacheDiagnostics.ActivitySourceName, "Yarp.ReverseProxy")
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation(http => http.FilterHttpRequestMessage = request => !Untraced.IsMarked(request)))
                .WithLogging()
                .UseOtlpExporter();
        }

        return services;
    }
}

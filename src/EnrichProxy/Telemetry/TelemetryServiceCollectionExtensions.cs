using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using ZiggyCreatures.Caching.Fusion;

namespace EnrichProxy.Telemetry;

/// <summary>OpenTelemetry, wired once: Prometheus on <c>/metrics</c> always, OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.</summary>
internal static class TelemetryServiceCollectionExtensions
{
    public static IServiceCollection AddEnrichProxyTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var otlp = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var telemetry = services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddMeter(EnrichProxyDiagnostics.MeterName, FusionCacheDiagnostics.MeterName)
                .AddHttpClientInstrumentation()
                .AddPrometheusExporter());

        if (otlp)
        {
            // Spans cost time on every request, so they are collected only when someone receives them.
            telemetry
                .WithTracing(tracing => tracing
                    .AddSource(FusionCacheDiagnostics.ActivitySourceName, "Yarp.ReverseProxy")
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation())
                .UseOtlpExporter();
        }

        return services;
    }
}

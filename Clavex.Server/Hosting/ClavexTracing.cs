using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Clavex.Server.Hosting;

/// <summary>
/// Traces through OpenTelemetry, when an OTLP collector is configured (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, and the
/// exporter's other standard <c>OTEL_*</c> variables): a server span per request (ASP.NET Core's instrumentation,
/// which redacts query strings, so no code or state reaches the collector) and, under it, a span per PostgreSQL
/// command (Npgsql's own ActivitySource; the SQL text has parameters, never values). Without the variable nothing is
/// registered: no listener, no cost.
/// </summary>
public static class ClavexTracing
{
    /// <summary>The service name spans carry, unless <c>OTEL_SERVICE_NAME</c> says otherwise.</summary>
    public const string ServiceName = "clavex";

    public static IServiceCollection AddClavexTracing(this IServiceCollection services, ClavexSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.OtlpEndpoint is null)
        {
            return services;
        }

        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(Environment.GetEnvironmentVariable("OTEL_SERVICE_NAME") ?? ServiceName, serviceVersion: ClavexCommand.Version))
            // The exporter reads OTEL_EXPORTER_OTLP_* itself, so an http/protobuf endpoint gets its /v1/traces and
            // OTEL_EXPORTER_OTLP_TRACES_ENDPOINT keeps its precedence; the setting only decides that there is one.
            .WithTracing(tracing => Instrument(tracing).AddOtlpExporter());
        return services;
    }

    /// <summary>What is traced, apart from where it goes (the tests export it in memory).</summary>
    public static TracerProviderBuilder Instrument(TracerProviderBuilder tracing)
    {
        ArgumentNullException.ThrowIfNull(tracing);
        return tracing
            // Scrapes, probes and the scripts would be most of the spans and tell nothing.
            .AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.Filter = context => !IsNoise(context.Request.Path))
            .AddSource("Npgsql");
    }

    private static bool IsNoise(PathString path) =>
        path.Equals(ClavexMetrics.Path, StringComparison.Ordinal) || path.Equals("/healthz", StringComparison.Ordinal)
        || path.Equals("/readyz", StringComparison.Ordinal) || path.StartsWithSegments("/assets", StringComparison.Ordinal);
}

using System.Net;
using Clavex.Server.Storage;
using OpenTelemetry.Metrics;

namespace Clavex.Server.Hosting;

/// <summary>
/// <c>/metrics</c> in the Prometheus text format, through OpenTelemetry: Clavex's own meter (<see cref="ClavexMeter"/>),
/// ASP.NET Core's request durations (<c>http.server.request.duration</c> by route: token, authorize, …), Kestrel's
/// connections, ASP.NET Core's rate-limiter decisions (<c>aspnetcore.rate_limiting.requests</c>), Npgsql's command and pool
/// metrics, and the runtime's own (<c>System.Runtime</c>: working set, GC heap sizes and pauses, thread-pool queue), which
/// show whether memory stays flat under a long load. On the main port only for loopback callers; with
/// <see cref="ClavexSettings.MetricsPort"/> on that port, for everyone who can reach it.
/// </summary>
public static class ClavexMetrics
{
    public const string Path = "/metrics";

    public static IServiceCollection AddClavexMetrics(this IServiceCollection services)
    {
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(ClavexMeter.Name, "Npgsql", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.RateLimiting", "System.Runtime")
            // Every scrape reads the instruments afresh (the exporter's default caches a response for 300 ms).
            .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0));
        return services;
    }

    /// <summary>Adds the metrics port to the addresses Kestrel listens on (the configured ones stay).</summary>
    public static void ListenForMetrics(WebApplicationBuilder builder, ClavexSettings settings)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.MetricsPort is int port)
        {
            string urls = builder.Configuration[WebHostDefaults.ServerUrlsKey] ?? "http://localhost:5000";
            builder.WebHost.UseUrls(urls + ";http://0.0.0.0:" + port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    public static WebApplication MapMetrics(this WebApplication app, ClavexSettings settings)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(settings);
        int? metricsPort = settings.MetricsPort;
        // Client ids and sign-in counts are not for the internet: loopback only, unless a port of its own is set.
        app.Use((context, next) =>
        {
            if (!IsAllowed(context.Request.Path.Equals(Path, StringComparison.Ordinal), context.Connection.LocalPort, context.Connection.RemoteIpAddress, metricsPort))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }

            return next(context);
        });
        app.MapPrometheusScrapingEndpoint(Path);
        return app;
    }

    /// <summary>
    /// Whether a request may go on: <c>/metrics</c> from loopback (no metrics port) or on the metrics port; anything
    /// else anywhere but the metrics port, which serves <c>/metrics</c> alone.
    /// </summary>
    internal static bool IsAllowed(bool metricsPath, int localPort, IPAddress? remote, int? metricsPort)
    {
        bool onMetricsPort = metricsPort is int port && localPort == port;
        return !metricsPath ? !onMetricsPort
            : metricsPort is null ? remote is not null && IPAddress.IsLoopback(remote)
            : onMetricsPort;
    }
}

using Clavex.Server.AdminConsole;
using Clavex.Server.Account;
using Clavex.Server.Admin;
using Clavex.Server.Audit;
using Clavex.Server.Endpoints;
using Clavex.Server.Http;

namespace Clavex.Server.Hosting;

/// <summary>Builds the web application: services, then the endpoint checklist. Used by <c>start</c>, <c>start-dev</c> and the tests.</summary>
public static class ClavexApp
{
    /// <summary>Every request body is small: forms and JSON of a few kilobytes.</summary>
    public const long MaxRequestBodyBytes = 64 * 1024;

    public static WebApplication Build(ClavexSettings settings, string[] args, TimeProvider? timeProvider = null, Action<WebApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        WebApplicationBuilder builder = WebApplication.CreateBuilder(args);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
            kestrel.Limits.MaxRequestLineSize = 16 * 1024;
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
        });
        // Request logging at Information would write query strings, and logout's carries an ID token.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services
            .AddClavexHosting(settings, timeProvider ?? TimeProvider.System)
            .AddClavexStorage(settings)
            .AddClavexProtocol()
            .AddClavexLogin()
            .AddClavexAudit()
            .AddClavexAdmin(settings)
            .AddClavexSweeps(settings)
            .AddClavexMetrics()
            .AddClavexTracing(settings);
        ClavexMetrics.ListenForMetrics(builder, settings);
        configure?.Invoke(builder);

        WebApplication app = builder.Build();
        app.UseForwardedHeaders();
        app.UseCorrelationId();
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandler = ServerErrors.WriteAsync,
            // Bad input and database outages are answered and logged by ServerErrors in one line each; a stack trace
            // is logged only for what is a bug.
            SuppressDiagnosticsCallback = context => ServerErrors.IsExpected(context.Exception),
        });
        // After routing (WebApplication routes first), so each endpoint's RequireRateLimiting policy is known.
        app.UseRateLimiter();
        app.MapMetrics(settings);

        app.MapHealth();
        app.MapAssets();
        app.MapConsoleAssets();
        app.MapOperatorConsole();
        app.MapAdminApi();
        app.MapAdminOpenApi();
        app.MapOrganizationGroup()
            .MapDiscovery()
            .MapAuthorize()
            .MapLogin()
            .MapAccount()
            .MapConsole()
            .MapToken()
            .MapUserInfo()
            .MapLogout();
        // Not MapFallback: this answers only when routing found no endpoint at all, so a wrong method still gets 405.
        app.Use((context, next) => context.GetEndpoint() is null ? NotFound.WriteAsync(context) : next(context));
        return app;
    }
}

using System.Net;
using Clavex.Core;
using Clavex.Core.Interaction;
using Clavex.Core.Protocol;
using Clavex.Core.Stores;
using Clavex.Server.Admin;
using Clavex.Server.Audit;
using Clavex.Server.Endpoints;
using Clavex.Server.Http;
using Clavex.Server.Login;
using Clavex.Server.Storage;
using Microsoft.AspNetCore.HttpOverrides;
using Npgsql;

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
        AddServices(builder.Services, settings, timeProvider ?? TimeProvider.System);
        configure?.Invoke(builder);

        WebApplication app = builder.Build();
        app.UseForwardedHeaders();
        app.UseCorrelationId();
        app.UseExceptionHandler(errors => errors.Run(ServerErrors.WriteAsync));

        app.MapHealth();
        app.MapAdminApi();
        app.MapAdminOpenApi();
        app.MapOrganizationGroup()
            .MapDiscovery()
            .MapAuthorize()
            .MapLogin()
            .MapToken()
            .MapUserInfo()
            .MapLogout();
        return app;
    }

    private static void AddServices(IServiceCollection services, ClavexSettings settings, TimeProvider timeProvider)
    {
        services.AddSingleton(settings);
        services.AddSingleton(timeProvider);
        services.Configure<ForwardedHeadersOptions>(options =>
        {
            // Only configured proxies are believed; without any, X-Forwarded-* is ignored.
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            options.KnownIPNetworks.Clear();
            options.KnownProxies.Clear();
            foreach (IPAddress proxy in settings.KnownProxies)
            {
                options.KnownProxies.Add(proxy);
            }
        });

        services.AddSingleton(_ => new NpgsqlDataSourceBuilder(settings.ConnectionString).Build());
        services.AddSingleton<PgOrganizationStore>();
        services.AddSingleton<PgClientStore>();
        services.AddSingleton<CachingClientStore>();
        services.AddSingleton<IClientStore>(s => s.GetRequiredService<CachingClientStore>());
        services.AddSingleton<PgUserStore>();
        services.AddSingleton<IUserStore>(s => s.GetRequiredService<PgUserStore>());
        services.AddSingleton<PgGroupStore>();
        services.AddSingleton<IAuthorizationCodeStore, PgAuthorizationCodeStore>();
        services.AddSingleton<IGrantStore, PgGrantStore>();
        services.AddSingleton<ISessionStore, PgSessionStore>();
        services.AddSingleton<IConsentStore, PgConsentStore>();
        services.AddSingleton<IReplayCache, PgReplayCache>();
        services.AddSingleton(new KeyEncryption(settings.MasterKey));
        services.AddSingleton<PgSigningKeyStore>();
        services.AddSingleton<ISigningKeyStore>(s => s.GetRequiredService<PgSigningKeyStore>());
        services.AddSingleton<KeyRotation>();
        services.AddSingleton<PgMaintenance>();
        services.AddSingleton<PgAuditEventStore>();
        services.AddSingleton<PgHealth>();
        if (settings.RunBackgroundSweeps)
        {
            services.AddHostedService<KeyRotationService>();
            services.AddHostedService<PurgeService>();
        }

        services.AddSingleton(s => new OpenIdProvider(
            new ProviderStores(
                s.GetRequiredService<IClientStore>(),
                s.GetRequiredService<IUserStore>(),
                s.GetRequiredService<IAuthorizationCodeStore>(),
                s.GetRequiredService<IGrantStore>(),
                s.GetRequiredService<ISigningKeyStore>(),
                s.GetRequiredService<IReplayCache>()),
            s.GetRequiredService<TimeProvider>()));
        services.AddSingleton(DiscoveryOptions.Default);
        services.AddSingleton(s => new OrganizationDirectory(s.GetRequiredService<PgOrganizationStore>(), settings.IssuerFor));
        services.AddSingleton(s => ActivatorUtilities.CreateInstance<CacheChangeListener>(s, settings.ConnectionString));
        services.AddHostedService(s => s.GetRequiredService<CacheChangeListener>());
        services.AddSingleton<SessionCookie>();
        services.AddSingleton<BrowserPages>();
        services.AddSingleton<InteractionResults>();
        services.AddSingleton<PasswordHasher>();
        services.AddSingleton<PasswordCheckLimiter>();
        services.AddSingleton<IPasswordVerifier, Argon2idPasswordVerifier>();
        services.AddSingleton<ISignInAccountStore>(s => s.GetRequiredService<PgUserStore>());
        services.AddSingleton<BrowserSessions>();
        services.AddSingleton<PasswordSignIn>();
        services.AddSingleton(s => new SignInInteraction(
            s.GetRequiredService<OpenIdProvider>().Authorization,
            s.GetRequiredService<OpenIdProvider>().CodeIssuer,
            s.GetRequiredService<BrowserSessions>(),
            s.GetRequiredService<IConsentStore>(),
            s.GetRequiredService<PasswordSignIn>(),
            s.GetRequiredService<TimeProvider>()));
        services.AddSingleton<LogoutRequestValidator>();
        services.AddSingleton<RpInitiatedLogout>();
        services.AddSingleton<SecretUsage>();
        services.AddHostedService(s => s.GetRequiredService<SecretUsage>());
        services.AddSingleton<AuditLog>();
        services.AddSingleton<OrganizationAdminTokens>();
        services.AddSingleton<AdminAuthentication>();
        services.AddSingleton<AdminAuthenticationFailures>();
        services.AddAdminOpenApi();
        services.AddHostedService<AuditWriter>();
    }
}

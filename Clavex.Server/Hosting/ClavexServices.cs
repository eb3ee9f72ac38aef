using System.Net;
using Clavex.Core;
using Clavex.Core.Factors;
using Clavex.Core.Interaction;
using Clavex.Core.Protocol;
using Clavex.Core.Stores;
using Clavex.Server.Account;
using Clavex.Server.Admin;
using Clavex.Server.Audit;
using Clavex.Server.Http;
using Clavex.Server.Login;
using Clavex.Server.Storage;
using Microsoft.AspNetCore.HttpOverrides;

namespace Clavex.Server.Hosting;

/// <summary>The services of each part of Clavex, registered by area; <see cref="ClavexApp"/> calls them in order.</summary>
public static class ClavexServices
{
    /// <summary>Settings, the clock, and which proxies' <c>X-Forwarded-*</c> headers are believed.</summary>
    public static IServiceCollection AddClavexHosting(this IServiceCollection services, ClavexSettings settings, TimeProvider timeProvider)
    {
        services.AddSingleton(settings);
        services.AddSingleton(timeProvider);
        services.AddHostedService<StartupReport>();
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
        return services;
    }

    /// <summary>PostgreSQL: one repository per store, the caches over them kept consistent by LISTEN/NOTIFY, key rotation.</summary>
    public static IServiceCollection AddClavexStorage(this IServiceCollection services, ClavexSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        services.AddSingleton(_ => PgDataSource.Create(settings.ConnectionString));
        services.AddSingleton<PgOrganizationStore>();
        services.AddSingleton(s => new OrganizationDirectory(s.GetRequiredService<PgOrganizationStore>(), settings.IssuerFor));
        services.AddSingleton<PgClientStore>();
        services.AddSingleton<CachingClientStore>();
        services.AddSingleton<IClientStore>(s => s.GetRequiredService<CachingClientStore>());
        services.AddSingleton<PgUserStore>();
        services.AddSingleton<IUserStore>(s => s.GetRequiredService<PgUserStore>());
        services.AddSingleton<ISignInAccountStore>(s => s.GetRequiredService<PgUserStore>());
        services.AddSingleton<PgGroupStore>();
        services.AddSingleton<IAuthorizationCodeStore, PgAuthorizationCodeStore>();
        services.AddSingleton<IGrantStore, PgGrantStore>();
        services.AddSingleton<PgSessionStore>();
        services.AddSingleton<ISessionStore>(s => s.GetRequiredService<PgSessionStore>());
        services.AddSingleton<IConsentStore, PgConsentStore>();
        services.AddSingleton<IReplayCache, PgReplayCache>();
        services.AddSingleton(new KeyEncryption(settings.MasterKey, settings.OtherMasterKeys));
        services.AddSingleton<PgSigningKeyStore>();
        services.AddSingleton<ISigningKeyStore>(s => s.GetRequiredService<PgSigningKeyStore>());
        services.AddSingleton<KeyRotation>();
        services.AddSingleton<PgSecondFactorStore>();
        services.AddSingleton<ISecondFactorStore>(s => s.GetRequiredService<PgSecondFactorStore>());
        services.AddSingleton<PgMaintenance>();
        services.AddSingleton<PgAuditEventStore>();
        services.AddSingleton<PgHealth>();
        services.AddSingleton(s => ActivatorUtilities.CreateInstance<CacheChangeListener>(s, settings.ConnectionString));
        services.AddHostedService(s => s.GetRequiredService<CacheChangeListener>());
        services.AddSingleton<SecretUsage>();
        services.AddHostedService(s => s.GetRequiredService<SecretUsage>());
        return services;
    }

    /// <summary>The protocol core over those stores: the token half (<see cref="OpenIdProvider"/>) and discovery.</summary>
    public static IServiceCollection AddClavexProtocol(this IServiceCollection services)
    {
        services.AddSingleton(s => new OpenIdProvider(
            new ProviderStores(
                s.GetRequiredService<IClientStore>(),
                s.GetRequiredService<IUserStore>(),
                s.GetRequiredService<IAuthorizationCodeStore>(),
                s.GetRequiredService<IGrantStore>(),
                s.GetRequiredService<ISigningKeyStore>(),
                s.GetRequiredService<IReplayCache>()),
            s.GetRequiredService<TimeProvider>()));
        services.AddSingleton(DiscoveryOptions.Default with { UiLocales = Login.PageTexts.Languages });
        return services;
    }

    /// <summary>The browser half: the core's interaction (sign-in, consent, logout), Argon2id, the cookie and the pages.</summary>
    public static IServiceCollection AddClavexLogin(this IServiceCollection services)
    {
        services.AddSingleton<PasswordHasher>();
        services.AddSingleton<PasswordCheckLimiter>();
        services.AddSingleton<IPasswordVerifier, Argon2idPasswordVerifier>();
        services.AddSingleton<BrowserSessions>();
        services.AddSingleton<PasswordSignIn>();
        services.AddSingleton<SecondFactorSignIn>();
        services.AddSingleton(s => new PasskeyChallenges(PasskeyChallengeKey(s.GetRequiredService<ClavexSettings>().MasterKey), s.GetRequiredService<TimeProvider>()));
        services.AddSingleton(s => new Fido2PasskeyVerifier(s.GetRequiredService<ClavexSettings>().PublicBaseUrl));
        services.AddSingleton<IPasskeyVerifier>(s => s.GetRequiredService<Fido2PasskeyVerifier>());
        services.AddSingleton<PasskeySignIn>();
        services.AddSingleton(s => new SignInInteraction(
            s.GetRequiredService<OpenIdProvider>().Authorization,
            s.GetRequiredService<OpenIdProvider>().CodeIssuer,
            s.GetRequiredService<BrowserSessions>(),
            s.GetRequiredService<IConsentStore>(),
            s.GetRequiredService<PasswordSignIn>(),
            s.GetRequiredService<TimeProvider>(),
            secondFactors: s.GetRequiredService<SecondFactorSignIn>(),
            passkeys: s.GetRequiredService<PasskeySignIn>()));
        services.AddSingleton<LogoutRequestValidator>();
        services.AddSingleton<RpInitiatedLogout>();
        services.AddSingleton(s => new CookieSecurity(!s.GetRequiredService<ClavexSettings>().AllowInsecureCookies));
        services.AddSingleton<SessionCookie>();
        services.AddSingleton(s => new AntiforgeryKey(AntiforgeryTokens.KeyFrom(s.GetRequiredService<ClavexSettings>().MasterKey)));
        services.AddSingleton<BrowserPages>();
        services.AddSingleton<LoginThrottle>();
        services.AddSingleton<OutageLog>();
        services.AddClavexRateLimits();
        services.AddSingleton<InteractionResults>();
        services.AddSingleton<AccountClient>();
        return services;
    }

    /// <summary>The passkey challenges' HMAC key: derived from the master key (RFC 5869), so there is no second secret to keep.</summary>
    private static byte[] PasskeyChallengeKey(byte[] masterKey) =>
        System.Security.Cryptography.HKDF.DeriveKey(
            System.Security.Cryptography.HashAlgorithmName.SHA256, masterKey, PasskeyChallenges.KeySize, info: "clavex passkey challenges"u8.ToArray());

    /// <summary>The audit log: recorded on the request path, written in batches off it.</summary>
    public static IServiceCollection AddClavexAudit(this IServiceCollection services)
    {
        services.AddSingleton<AuditLog>();
        services.AddHostedService<AuditWriter>();
        return services;
    }

    /// <summary>The admin API: its two kinds of bearer token, the failure throttle, the OpenAPI document.</summary>
    public static IServiceCollection AddClavexAdmin(this IServiceCollection services, ClavexSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        services.AddSingleton(new AdminSettings(settings.AdminToken, settings.IssuerFor));
        services.AddSingleton<OrganizationAdminTokens>();
        services.AddSingleton<AdminAuthentication>();
        services.AddSingleton<AdminAuthenticationFailures>();
        services.AddSingleton<AdminRequestLimits>();
        services.AddSingleton<AdminConsole.ConsoleClient>();
        services.AddSingleton<AdminConsole.ConsoleSignIn>();
        services.AddSingleton<AdminConsole.ConsoleApi>();
        services.AddSingleton<AdminConsole.OperatorSignIn>();
        services.AddAdminOpenApi();
        return services;
    }

    /// <summary>Key rotation and the purge of expired rows, every minute on every instance (tests turn them off).</summary>
    public static IServiceCollection AddClavexSweeps(this IServiceCollection services, ClavexSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.RunBackgroundSweeps)
        {
            services.AddHostedService<KeyRotationService>();
            services.AddHostedService<PurgeService>();
        }

        return services;
    }
}

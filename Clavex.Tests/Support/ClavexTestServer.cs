using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Clavex.Core.Clients;
using Clavex.Core.Users;
using Clavex.Server.Hosting;
using Clavex.Server.Login;
using Clavex.Server.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Clavex.Tests.Support;

/// <summary>
/// A real Clavex on Kestrel at 127.0.0.1 on a free port, over the test PostgreSQL, with a clock the test moves.
/// Several instances may share one database, as behind a load balancer.
/// </summary>
internal sealed class ClavexTestServer : IAsyncDisposable
{
    public const string AdminToken = "adm_test_0123456789abcdefghijklmnopqrstuvwxyz";

    private static readonly byte[] s_masterKey = RandomNumberGenerator.GetBytes(32);

    /// <summary>The master key every test server uses unless given another.</summary>
    public static ReadOnlySpan<byte> DefaultMasterKey => s_masterKey;

    private ClavexTestServer(WebApplication app, Uri baseUrl, TestClock clock)
    {
        App = app;
        BaseUrl = baseUrl;
        Clock = clock;
    }

    public WebApplication App { get; }

    public Uri BaseUrl { get; }

    public TestClock Clock { get; }

    public IServiceProvider Services => App.Services;

    /// <summary>
    /// Starts a server; pass <paramref name="publicBaseUrl"/> to run a second instance behind the same issuer, or
    /// <paramref name="localhostName"/> to name it <c>http://localhost:PORT</c> (WebAuthn needs a domain as its RP ID).
    /// </summary>
    public static async Task<ClavexTestServer> StartAsync(
        TestClock? clock = null, Uri? publicBaseUrl = null, string? connectionString = null, bool localhostName = false, byte[]? masterKey = null,
        LogCapture? logs = null, Action<WebApplicationBuilder>? configure = null)
    {
        clock ??= new TestClock(DateTimeOffset.UtcNow);
        int port = FreePort();
        var listen = new Uri($"http://127.0.0.1:{port}");
        var settings = new ClavexSettings
        {
            PublicBaseUrl = publicBaseUrl ?? (localhostName ? new Uri($"http://localhost:{port}") : listen),
            ConnectionString = connectionString ?? PostgresFixture.ConnectionString,
            MasterKey = masterKey ?? s_masterKey,
            AdminToken = AdminToken,

            // Sweeps over every organisation with this server's clock would reach other tests' rows; tests run the steps themselves.
            RunBackgroundSweeps = false,

            // Tests' clients connect from loopback; one that sends X-Forwarded-For (CreateClient's forwardedFor) is
            // another address to the login throttle and the audit log, as behind a proxy.
            KnownProxies = [System.Net.IPAddress.Loopback],
        };
        WebApplication app = ClavexApp.Build(settings, ["--urls", listen.AbsoluteUri], clock, builder =>
        {
            builder.Logging.ClearProviders();
            if (logs is not null)
            {
                builder.Logging.AddProvider(logs);
            }
            builder.Environment.EnvironmentName = Environments.Production;
            configure?.Invoke(builder);
        });
        await app.StartAsync();
        return new ClavexTestServer(app, listen, clock);
    }

    public HttpClient CreateClient(CookieContainer? cookies = null, string? forwardedFor = null)
    {
        HttpClient client = CreateClientCore(cookies);
        if (forwardedFor is not null)
        {
            client.DefaultRequestHeaders.Add("X-Forwarded-For", forwardedFor);
        }

        return client;
    }

    private HttpClient CreateClientCore(CookieContainer? cookies) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = cookies ?? new CookieContainer(), UseCookies = true })
        {
            BaseAddress = BaseUrl,
        };

    /// <summary>A fresh organisation with alice and the admin guide's atlassian client; returns its slug and secrets.</summary>
    public async Task<TestOrganization> SeedOrganizationAsync(string alicePassword = "correct horse battery staple")
    {
        string slug = "t" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        long id = await Services.GetRequiredService<PgOrganizationStore>().CreateAsync(slug, "Test " + slug, CancellationToken.None);
        await Services.GetRequiredService<PgSigningKeyStore>().EnsureKeyAsync(id, cancellationToken: CancellationToken.None);
        var hasher = Services.GetRequiredService<PasswordHasher>();
        string subject = "u_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var users = Services.GetRequiredService<PgUserStore>();
        await users.CreateAsync(
            new User
            {
                OrganizationId = id, Subject = subject, Username = "alice", Name = "Alice Andersson", GivenName = "Alice", FamilyName = "Andersson",
                Email = "alice@acme.eu", EmailVerified = true,
            },
            hasher.Hash(alicePassword),
            CancellationToken.None);
        foreach (string group in new[] { "jira-administrators", "jira-software-users", "confluence-users" })
        {
            await users.AddToGroupAsync(id, subject, group, CancellationToken.None);
        }

        string secret = ClientSecrets.Generate();
        await Services.GetRequiredService<PgClientStore>().CreateAsync(
            new Client
            {
                OrganizationId = id,
                ClientId = "atlassian",
                ClientName = "Jira + Confluence",
                GrantTypes = ["authorization_code", "refresh_token"],
                RedirectUris = DevSeeder.AtlassianRedirectUris,
                PostLogoutRedirectUris = ["https://jira.acme.eu/"],
                Scopes = ["openid", "profile", "email", "groups"],
                TokenEndpointAuthMethod = TokenEndpointAuthMethod.ClientSecretPost,
                Secrets = [new ClientSecret("s_" + slug, ClientSecrets.Hash(secret), Clock.GetUtcNow())],
            },
            CancellationToken.None);
        return new TestOrganization(id, slug, subject, secret, alicePassword, Services.GetRequiredService<ClavexSettings>().IssuerFor(slug));
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

internal sealed record TestOrganization(long Id, string Slug, string AliceSubject, string ClientSecret, string AlicePassword, string Issuer);

using Clavex.Server.Storage.Embedded;

namespace Clavex.Server.Hosting;

/// <summary>
/// <c>start-dev</c>: with no connection string configured, a local PostgreSQL cluster under <c>./.clavex/pg</c>
/// (created on first use, reused afterwards, stopped with Clavex), migrations, the demo organisation <c>acme</c>,
/// then the server. Prints the issuer, the discovery URL and every credential needed to try it.
/// </summary>
public static class DevEnvironment
{
    public const string DefaultUrl = "http://127.0.0.1:5080";

    public static async Task<int> RunAsync(string[] args)
    {
        IConfigurationRoot configuration = ClavexCommand.Configuration(args);
        string root = Path.GetFullPath(".clavex");
        Directory.CreateDirectory(root);
        DevState state = DevState.LoadOrCreate(root);

        LocalPostgres? cluster = null;
        string? connectionString = ClavexSettings.Read(configuration, "ConnectionString");
        if (connectionString is null)
        {
            cluster = new LocalPostgres(Path.Combine(root, "pg"), state.PostgresPort);
            await cluster.StartAsync();
            if (cluster.StoppedLeftover)
            {
                Console.WriteLine("Stopped the PostgreSQL in ./.clavex/pg that an earlier start-dev left running (it was killed before it could stop it); started it again.");
            }

            state = state with { PostgresPort = cluster.Port };
            connectionString = await cluster.EnsureClavexDatabaseAsync();
        }

        state.Save(root);
        try
        {
            string url = ClavexSettings.Read(configuration, "PublicBaseUrl") ?? FirstUrl(configuration) ?? DefaultUrl;
            var settings = new ClavexSettings
            {
                PublicBaseUrl = new Uri(url),
                ConnectionString = connectionString,
                MasterKey = Convert.FromBase64String(state.MasterKey),
                AdminToken = state.AdminToken,
                OtlpEndpoint = ClavexSettings.ReadOtlpEndpoint(configuration),
                // As `start` reads them: a load tool's flood from "another address" needs the proxy header trusted.
                KnownProxies = ClavexSettings.ReadKnownProxies(configuration),
                MetricsPort = ClavexSettings.ReadMetricsPort(configuration),
            };
            await ClavexCommand.MigrateAsync(connectionString);
            string[] appArgs = FirstUrl(configuration) is null ? [.. args, "--urls", DefaultUrl] : args;
            WebApplication app = ClavexApp.Build(settings, appArgs);
            DevSeed seed = await DevSeeder.SeedAsync(app.Services, state);
            Console.WriteLine(Describe(settings, state, seed));
            await app.RunAsync();
        }
        finally
        {
            if (cluster is not null)
            {
                await cluster.StopAsync();
            }
        }

        return 0;
    }

    private static string? FirstUrl(IConfiguration configuration)
    {
        string? urls = configuration["urls"] ?? Environment.GetEnvironmentVariable("ASPNETCORE_URLS");
        return urls?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
    }

    private const string ChangedPassword = "(changed since the first start; set one with PUT …/users/{sub}/password, or start with CLAVEX_DEV_PASSWORD)";
    private const string ChangedSecret = "(rotated, expired or deleted since the first start; rotate one with POST …/clients/atlassian/secrets, or start with CLAVEX_DEV_CLIENT_SECRET)";

    private static string Describe(ClavexSettings settings, DevState state, DevSeed seed)
    {
        string issuer = settings.IssuerFor(seed.OrganizationSlug);
        return $"""

            Clavex is running (development mode; data in ./.clavex).
              Issuer:         {issuer}
              Discovery:      {issuer}/.well-known/openid-configuration
              Admin token:    {state.AdminToken}
              Demo user:      alice / {(seed.AlicePasswordWorks ? state.AlicePassword : ChangedPassword)}
              Client:         atlassian / {(seed.ClientSecretWorks ? state.ClientSecret : ChangedSecret)}
              Redirect URIs:  {string.Join(", ", seed.RedirectUris)}
              Admin console:  {issuer}/admin ({(seed.ConsoleAdminSeeded
                  ? $"user {DevSeeder.ConsoleAdmin}, the demo user's first password; set up a second factor at first sign-in"
                  : "this .clavex predates its demo admin: make one in the operator's console at /admin, with the admin token")})
            Press Ctrl+C to stop Clavex and its PostgreSQL.

            """;
    }
}

using Clavex.Core.Clients;
using Clavex.Core.Interaction;
using Clavex.Core.Users;
using Clavex.Server.Login;
using Clavex.Server.Storage;

namespace Clavex.Server.Hosting;

/// <summary>
/// The demo organisation of <c>start-dev</c>: organisation <c>acme</c>, user alice in the three Atlassian groups,
/// user admin in <c>clavex-admins</c> (for the console), and the <c>atlassian</c> client exactly as the admin guide
/// registers it. Seeded once, on the first start: later starts change nothing an admin may have changed, unless
/// CLAVEX_DEV_PASSWORD or CLAVEX_DEV_CLIENT_SECRET is set.
/// </summary>
public static class DevSeeder
{
    public const string Slug = "acme";

    public static readonly string[] AtlassianRedirectUris =
    [
        "https://jira.acme.eu/plugins/servlet/oidc/callback",
        "https://confluence.acme.eu/plugins/servlet/oidc/callback",
    ];

    /// <summary>The demo's console admin, a member of <c>clavex-admins</c> only, with the demo user's password.</summary>
    public const string ConsoleAdmin = "admin";

    private static readonly string[] AliceGroups = ["jira-administrators", "jira-software-users", "confluence-users"];

    public static async Task<DevSeed> SeedAsync(IServiceProvider services, DevState state)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(state);
        var organizations = services.GetRequiredService<PgOrganizationStore>();
        var keys = services.GetRequiredService<PgSigningKeyStore>();
        var users = services.GetRequiredService<PgUserStore>();
        var clients = services.GetRequiredService<PgClientStore>();
        var hasher = services.GetRequiredService<PasswordHasher>();
        var time = services.GetRequiredService<TimeProvider>();
        CancellationToken none = CancellationToken.None;

        OrganizationRecord? organization = await organizations.FindBySlugAsync(Slug, none);
        if (organization is not null)
        {
            // Seeded before: a restart never undoes what an admin changed (a rotated secret, a new password, a
            // deleted client). Only a variable set for this very start is applied, and the banner says what works.
            await keys.EnsureKeyAsync(organization.Id, cancellationToken: none);
            return new DevSeed(organization.Slug, AtlassianRedirectUris,
                await AlicePasswordWorksAsync(users, hasher, organization.Id, state, none),
                await ClientSecretWorksAsync(clients, organization.Id, state, time.GetUtcNow(), none))
            {
                // A .clavex seeded before the console existed has no console admin; the banner says how to make one.
                ConsoleAdminSeeded = await users.FindByUsernameAsync(organization.Id, ConsoleAdmin, none) is not null,
            };
        }

        long id = await organizations.CreateAsync(Slug, "Acme", none);
        organization = new OrganizationRecord(id, Slug, "Acme");
        await keys.EnsureKeyAsync(organization.Id, cancellationToken: none);
        string subject = "u_" + Core.Protocol.OpaqueToken.New(12);
        await users.CreateAsync(
            new User
            {
                OrganizationId = organization.Id,
                Subject = subject,
                Username = "alice",
                Name = "Alice Andersson",
                GivenName = "Alice",
                FamilyName = "Andersson",
                Email = "alice@acme.eu",
                EmailVerified = true,
            },
            hasher.Hash(state.AlicePassword),
            none);
        foreach (string group in AliceGroups)
        {
            await users.AddToGroupAsync(organization.Id, subject, group, none);
        }

        // The console's admin is a user of their own, so the admin group stays out of alice's Jira and Confluence tokens.
        string admin = "u_" + Core.Protocol.OpaqueToken.New(12);
        await users.CreateAsync(
            new User { OrganizationId = organization.Id, Subject = admin, Username = ConsoleAdmin, Name = "Acme Admin", Email = "admin@acme.eu", EmailVerified = true },
            hasher.Hash(state.AlicePassword),
            none);
        await users.AddToGroupAsync(organization.Id, admin, Admin.OrganizationAdminTokens.AdminGroup, none);

        await clients.CreateAsync(
            new Client
            {
                OrganizationId = organization.Id,
                ClientId = "atlassian",
                ClientName = "Jira + Confluence",
                GrantTypes = ["authorization_code", "refresh_token"],
                RedirectUris = AtlassianRedirectUris,
                Scopes = ["openid", "profile", "email", "groups"],
                TokenEndpointAuthMethod = TokenEndpointAuthMethod.ClientSecretPost,
                // As the admin API pins a client with Atlassian callbacks: Jira and Confluence verify only RS256.
                IdTokenSignedResponseAlgorithm = Core.Jose.JwsAlgorithm.RS256,
                Secrets = [new ClientSecret(Core.Protocol.OpaqueToken.New(12), ClientSecrets.Hash(state.ClientSecret), time.GetUtcNow())],
            },
            none);
        return new DevSeed(organization.Slug, AtlassianRedirectUris, AlicePasswordWorks: true, ClientSecretWorks: true);
    }

    private static async Task<bool> AlicePasswordWorksAsync(PgUserStore users, PasswordHasher hasher, long organizationId, DevState state, CancellationToken none)
    {
        UserCredentials? alice = await users.FindByUsernameAsync(organizationId, "alice", none);
        if (alice is null)
        {
            return false;
        }

        if (hasher.Verify(state.AlicePassword, alice.PasswordHash) != PasswordVerification.Failed)
        {
            return true;
        }

        if (!state.PasswordFromEnvironment)
        {
            return false;
        }

        await users.SetPasswordHashAsync(organizationId, alice.User.Subject, hasher.Hash(state.AlicePassword), none);
        return true;
    }

    private static async Task<bool> ClientSecretWorksAsync(PgClientStore clients, long organizationId, DevState state, DateTimeOffset now, CancellationToken none)
    {
        Client? client = await clients.FindAsync(organizationId, "atlassian", none);
        if (client is null)
        {
            return false;
        }

        byte[] secretHash = ClientSecrets.Hash(state.ClientSecret);
        foreach (ClientSecret secret in client.Secrets)
        {
            if (secret.IsValidAt(now) && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(secret.Sha256Hash, secretHash))
            {
                return true;
            }
        }

        if (!state.ClientSecretFromEnvironment)
        {
            return false;
        }

        await clients.AddSecretAsync(organizationId, "atlassian", new ClientSecret(Core.Protocol.OpaqueToken.New(12), secretHash, now), none);
        return true;
    }
}

/// <summary>The demo organisation, and whether the printed password and secret still work (an admin may have changed them).</summary>
public sealed record DevSeed(string OrganizationSlug, IReadOnlyList<string> RedirectUris, bool AlicePasswordWorks, bool ClientSecretWorks)
{
    /// <summary>Whether the console admin <see cref="DevSeeder.ConsoleAdmin"/> exists.</summary>
    public bool ConsoleAdminSeeded { get; init; } = true;
}

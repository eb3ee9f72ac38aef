using Clavex.Core.Clients;
using Clavex.Core.Interaction;
using Clavex.Core.Users;
using Clavex.Server.Login;
using Clavex.Server.Storage;

namespace Clavex.Server.Hosting;

/// <summary>
/// The demo organisation of <c>start-dev</c>: organisation <c>acme</c>, user alice in the three Atlassian groups,
/// and the <c>atlassian</c> client exactly as the admin guide registers it. Idempotent: nothing is seeded twice.
/// </summary>
public static class DevSeeder
{
    public const string Slug = "acme";

    public static readonly string[] AtlassianRedirectUris =
    [
        "https://jira.acme.eu/plugins/servlet/oidc/callback",
        "https://confluence.acme.eu/plugins/servlet/oidc/callback",
    ];

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
        if (organization is null)
        {
            long id = await organizations.CreateAsync(Slug, "Acme", none);
            organization = new OrganizationRecord(id, Slug, "Acme");
        }

        await keys.EnsureKeyAsync(organization.Id, cancellationToken: none);

        if (await users.FindByUsernameAsync(organization.Id, "alice", none) is null)
        {
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
        }
        else
        {
            // CLAVEX_DEV_PASSWORD may have changed since the first run.
            UserCredentials alice = (await users.FindByUsernameAsync(organization.Id, "alice", none))!;
            if (hasher.Verify(state.AlicePassword, alice.PasswordHash) == PasswordVerification.Failed)
            {
                await users.SetPasswordHashAsync(organization.Id, alice.User.Subject, hasher.Hash(state.AlicePassword), none);
            }
        }

        DateTimeOffset now = time.GetUtcNow();
        Client? client = await clients.FindAsync(organization.Id, "atlassian", none);
        byte[] secretHash = ClientSecrets.Hash(state.ClientSecret);
        if (client is null)
        {
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
                    Secrets = [new ClientSecret(Core.Protocol.OpaqueToken.New(12), secretHash, now)],
                },
                none);
        }
        else if (!client.Secrets.Any(s => s.Sha256Hash.AsSpan().SequenceEqual(secretHash)))
        {
            await clients.AddSecretAsync(organization.Id, "atlassian", new ClientSecret(Core.Protocol.OpaqueToken.New(12), secretHash, now), none);
        }

        return new DevSeed(organization.Slug, AtlassianRedirectUris);
    }
}

public sealed record DevSeed(string OrganizationSlug, IReadOnlyList<string> RedirectUris);

using Clavex.Core.Clients;
using Clavex.Core.Protocol;
using Clavex.Server.Admin;
using Clavex.Server.Http;
using Clavex.Server.Storage;

namespace Clavex.Server.AdminConsole;

/// <summary>
/// The admin console signs admins in as an OIDC client of their organisation, <c>clavex-console</c>: a public client
/// (code + PKCE, no secret) whose only redirect URI is <c>{issuer}/admin/callback</c>, registered for the
/// <see cref="OrganizationAdminTokens.Scope"/> scope, with <c>require_mfa</c> on. Like the account page's client it is
/// a real client row, made the first time someone opens the console, so the sign-in policy, second factors, throttles
/// and audit apply to it as to any other; an admin can see it, tighten it, or disable it to close the console.
/// </summary>
public sealed class ConsoleClient(CachingClientStore clients, PgClientStore store)
{
    public const string ClientId = "clavex-console";

    /// <summary>
    /// An hour of console work without a detour through /authorize. Its being longer than other clients' is safe:
    /// every console request checks the grant, the client, the user and their membership of the admin group, so
    /// revoking, disabling or removing any of them closes the console at once.
    /// </summary>
    public static readonly TimeSpan AccessTokenLifetime = TimeSpan.FromHours(1);

    public static string RedirectUri(Organization organization)
    {
        ArgumentNullException.ThrowIfNull(organization);
        return organization.Issuer + "/admin/callback";
    }

    /// <summary>The organisation's console client, made now when it has none.</summary>
    public async Task<Client> EnsureAsync(Organization organization, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(organization);
        var client = new Client
        {
            OrganizationId = organization.Id,
            ClientId = ClientId,
            ClientName = "Clavex admin console",
            TokenEndpointAuthMethod = TokenEndpointAuthMethod.None,
            RedirectUris = [RedirectUri(organization)],
            Scopes = [Scopes.OpenId, OrganizationAdminTokens.Scope],
            GrantTypes = [GrantTypes.AuthorizationCode],
            RequirePkce = true,
            RequireMfa = true,
            Lifetimes = new TokenLifetimes { AccessToken = AccessTokenLifetime },
        };
        return await FirstPartyClient.EnsureAsync(clients, store, client, cancellationToken);
    }
}

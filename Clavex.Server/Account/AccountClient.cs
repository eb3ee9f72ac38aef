using Clavex.Core.Clients;
using Clavex.Core.Protocol;
using Clavex.Server.Http;
using Clavex.Server.Storage;

namespace Clavex.Server.Account;

/// <summary>
/// The account page signs users in as an OIDC client of their own organisation, <c>clavex-account</c>: a public client
/// (PKCE, no secret) whose only redirect URI is <c>{issuer}/account/callback</c>. It is a real client row, made the
/// first time someone opens the account page, so the organisation's sign-in policy, second factors and audit apply to
/// it like to any other, and an admin can see it and turn self-service off by disabling it.
/// </summary>
public sealed class AccountClient(CachingClientStore clients, PgClientStore store)
{
    public const string ClientId = "clavex-account";

    public static string RedirectUri(Organization organization)
    {
        ArgumentNullException.ThrowIfNull(organization);
        return organization.Issuer + "/account/callback";
    }

    /// <summary>The organisation's account client, made now when it has none.</summary>
    public async Task<Client> EnsureAsync(Organization organization, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(organization);
        var client = new Client
        {
            OrganizationId = organization.Id,
            ClientId = ClientId,
            ClientName = "your account",
            TokenEndpointAuthMethod = TokenEndpointAuthMethod.None,
            RedirectUris = [RedirectUri(organization)],
            Scopes = [Scopes.OpenId],
            GrantTypes = [GrantTypes.AuthorizationCode],
            RequirePkce = true,
        };
        return await FirstPartyClient.EnsureAsync(clients, store, client, cancellationToken);
    }
}

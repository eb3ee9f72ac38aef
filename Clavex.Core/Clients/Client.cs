using Clavex.Core.Claims;
using Clavex.Core.Jose;

namespace Clavex.Core.Clients;

/// <summary>A registered relying party of one organisation (RFC 7591 client metadata, as Clavex stores it).</summary>
public sealed class Client
{
    public required long OrganizationId { get; init; }

    public required string ClientId { get; init; }

    public string? ClientName { get; init; }

    /// <summary>The application's home page (RFC 7591 §2 <c>client_uri</c>): where the signed-out page sends people back to.</summary>
    public string? ClientUri { get; init; }

    public bool Enabled { get; init; } = true;

    public TokenEndpointAuthMethod TokenEndpointAuthMethod { get; init; } = TokenEndpointAuthMethod.ClientSecretBasic;

    /// <summary>Exact strings (RFC 6749 §3.1.2.3, OIDC Core §3.1.2.1: simple string comparison).</summary>
    public IReadOnlyList<string> RedirectUris { get; init; } = [];

    public IReadOnlyList<string> PostLogoutRedirectUris { get; init; } = [];

    public IReadOnlyList<string> GrantTypes { get; init; } = [Protocol.GrantTypes.AuthorizationCode];

    /// <summary>The scopes the client may be granted; others it asks for are dropped.</summary>
    public IReadOnlyList<string> Scopes { get; init; } = [Protocol.Scopes.OpenId];

    public IReadOnlyList<ClientSecret> Secrets { get; init; } = [];

    /// <summary>Keys for <c>private_key_jwt</c> (the client's registered <c>jwks</c>).</summary>
    public JwsKeySet? Jwks { get; init; }

    /// <summary>
    /// Native apps (RFC 8252) may use any port on a registered loopback redirect URI (§7.3); web clients may not.
    /// </summary>
    public bool IsNative { get; init; }

    /// <summary>PKCE for a confidential client. Off by default: Atlassian's SSO and miniOrange never send it.</summary>
    public bool RequirePkce { get; init; }

    public bool AllowPlainPkce { get; init; }

    public bool RequireConsent { get; init; }

    /// <summary>Issue a refresh token even when <c>offline_access</c> was not requested.</summary>
    public bool AlwaysIssueRefreshToken { get; init; }

    /// <summary>Every sign-in to this client needs a second factor, whatever the organisation's policy (e.g. an admin console).</summary>
    public bool RequireMfa { get; init; }

    /// <summary>OIDC Dynamic Client Registration §2: the <c>acr_values</c> assumed when a request sends none.</summary>
    public IReadOnlyList<string> DefaultAcrValues { get; init; } = [];

    public TokenLifetimes Lifetimes { get; init; } = TokenLifetimes.Default;

    public ClaimMapping ClaimMapping { get; init; } = ClaimMapping.Default;

    /// <summary>
    /// OIDC Dynamic Client Registration §2 <c>id_token_signed_response_alg</c>: the one algorithm the relying party
    /// accepts for ID tokens; null when not pinned. Issuance does not consult it: the admin API keeps the organisation's
    /// signing algorithm equal to every pin, so the organisation's key already has it.
    /// </summary>
    public JwsAlgorithm? IdTokenSignedResponseAlgorithm { get; init; }

    public bool IsPublic => TokenEndpointAuthMethod == TokenEndpointAuthMethod.None;

    public bool HasGrantType(string grantType) => Contains(GrantTypes, grantType);

    public bool AllowsScope(string scope) => Contains(Scopes, scope);

    private static bool Contains(IReadOnlyList<string> list, string value)
    {
        for (int i = 0; i < list.Count; i++)
        {
            if (string.Equals(list[i], value, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}

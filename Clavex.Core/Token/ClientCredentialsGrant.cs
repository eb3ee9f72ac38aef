using Clavex.Core.Clients;
using Clavex.Core.Protocol;
using Clavex.Core.Stores;

namespace Clavex.Core.Token;

/// <summary>
/// The client_credentials grant (RFC 6749 §4.4) for service accounts: an access token whose subject is the client
/// itself (RFC 9068 §2.2), no ID token and no refresh token (RFC 6749 §4.4.3).
/// </summary>
public sealed class ClientCredentialsGrant(ISigningKeyStore keys, TimeProvider timeProvider)
{
    public async Task<TokenResult> HandleAsync(Organization organization, Client client, ProtocolParameters form, CancellationToken cancellationToken)
    {
        if (client.IsPublic)
        {
            return Fail(client, OAuthError.UnauthorizedClient("A public client cannot use the client_credentials grant."));
        }

        form.TryGetSingle(ParameterNames.Scope, out string? scope);
        var scopes = new List<string>();
        if (scope is null)
        {
            // RFC 6749 §3.3: without a scope parameter the client gets its registered scopes that make sense
            // without a user.
            foreach (string item in client.Scopes)
            {
                if (!IsUserScope(item))
                {
                    scopes.Add(item);
                }
            }
        }
        else
        {
            foreach (string item in ScopeList.Parse(scope))
            {
                if (IsUserScope(item) || !client.AllowsScope(item))
                {
                    return Fail(client, OAuthError.InvalidScope("A requested scope is not available to this client without a user.", $"scope {item}"));
                }

                scopes.Add(item);
            }
        }

        DateTimeOffset now = timeProvider.GetUtcNow();
        SigningKeys signingKeys = await keys.GetAsync(organization.Id, cancellationToken);
        string joined = ScopeList.Join(scopes);
        string accessToken = TokenIssuer.CreateAccessToken(
            new AccessTokenContent(organization.Issuer, client.ClientId, client.ClientId, joined, now, now + client.Lifetimes.AccessToken, null, null, null),
            signingKeys.Current);

        return TokenResult.Success(
            new TokenResponse { AccessToken = accessToken, ExpiresIn = (int)client.Lifetimes.AccessToken.TotalSeconds, Scope = joined },
            GrantTypes.ClientCredentials,
            client.ClientId,
            client.ClientId);
    }

    // Scopes that describe a user or a user's session have no meaning for a service account.
    private static bool IsUserScope(string scope) => scope is Scopes.OpenId or Scopes.Profile or Scopes.Email or Scopes.Phone
        or Scopes.Address or Scopes.Groups or Scopes.OfflineAccess;

    private static TokenResult Fail(Client client, OAuthError error) =>
        TokenResult.Failure(error, GrantTypes.ClientCredentials, client.ClientId);
}

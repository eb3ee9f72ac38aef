using Clavex.Core.Clients;
using Clavex.Core.Protocol;
using Clavex.Core.Stores;

namespace Clavex.Core.Token;

/// <summary>
/// Token revocation (RFC 7009). Revoking a refresh token or an access token revokes its whole grant (§2.1: the
/// server may revoke related tokens). The answer is the same whether or not the token was known, so the endpoint
/// cannot be used to probe tokens.
/// </summary>
public sealed class RevocationEndpoint(ClientAuthenticator authenticator, AccessTokenValidator accessTokens, IGrantStore grants, TimeProvider timeProvider)
{
    public async Task<RevocationResult> HandleAsync(Organization organization, ProtocolParameters form, BasicCredentials? basic, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(organization);
        ArgumentNullException.ThrowIfNull(form);
        ClientAuthenticationResult authentication = await authenticator.AuthenticateAsync(organization, form, basic, cancellationToken);
        if (!authentication.IsSuccess)
        {
            return RevocationResult.Failure(authentication.Error, authentication.ClaimedClientId);
        }

        Client client = authentication.Value;
        if (!form.TryGetSingle(ParameterNames.Token, out string? token) || token is null)
        {
            return RevocationResult.Failure(OAuthError.InvalidRequest("token is missing or repeated."), client.ClientId);
        }

        DateTimeOffset now = timeProvider.GetUtcNow();
        string? grantId = await FindGrantAsync(organization, client, token, cancellationToken);
        if (grantId is not null)
        {
            await grants.RevokeAsync(organization.Id, grantId, now, cancellationToken);
        }

        return RevocationResult.Success(client, grantId);
    }

    // The hint is only an optimisation (RFC 7009 §2.1), so both kinds are tried whatever it says.
    private async Task<string?> FindGrantAsync(Organization organization, Client client, string token, CancellationToken cancellationToken)
    {
        Grant? grant = (await grants.FindByRefreshTokenAsync(organization.Id, OpaqueToken.Hash(token), cancellationToken))?.Grant;
        if (grant is not null)
        {
            // §2.1: only the client the token was issued to may revoke it.
            return string.Equals(grant.ClientId, client.ClientId, StringComparison.Ordinal) ? grant.GrantId : null;
        }

        using ValidatedAccessToken accessToken = await accessTokens.ValidateAsync(
            organization, token, AccessTokenValidator.RevocationClockSkew, cancellationToken);
        return accessToken.IsValid && string.Equals(accessToken.ClientId, client.ClientId, StringComparison.Ordinal)
            ? accessToken.GrantId
            : null;
    }
}

/// <summary>
/// Success is HTTP 200 with an empty body; <see cref="GrantId"/> says what was revoked, for the audit log, and
/// <see cref="ClientId"/> who asked, once the client is known.
/// </summary>
public sealed record RevocationResult : ProtocolResult<Client>
{
    private RevocationResult(Client client)
        : base(client)
    {
    }

    private RevocationResult(OAuthError error)
        : base(error)
    {
    }

    public string? ClientId { get; private init; }

    public string? GrantId { get; private init; }

    internal static RevocationResult Success(Client client, string? grantId) => new(client) { ClientId = client.ClientId, GrantId = grantId };

    internal static RevocationResult Failure(OAuthError error, string? clientId) => new(error) { ClientId = clientId };
}

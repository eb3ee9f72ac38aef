using System.Text.Json;
using Clavex.Core.Clients;
using Clavex.Core.Jose;
using Clavex.Core.Protocol;
using Clavex.Core.Stores;

namespace Clavex.Core.Token;

/// <summary>
/// Token revocation (RFC 7009). Revoking a refresh token or an access token revokes its whole grant (§2.1: the
/// server may revoke related tokens). The answer is the same whether or not the token was known, so the endpoint
/// cannot be used to probe tokens.
/// </summary>
public sealed class RevocationEndpoint(ClientAuthenticator authenticator, IGrantStore grants, ISigningKeyStore keys, TimeProvider timeProvider)
{
    private static readonly JwsAlgorithm[] AllowedAlgorithms = [JwsAlgorithm.RS256, JwsAlgorithm.PS256, JwsAlgorithm.ES256];

    public async Task<RevocationResult> HandleAsync(Organization organization, ProtocolParameters form, BasicCredentials? basic, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(organization);
        ArgumentNullException.ThrowIfNull(form);
        ClientAuthenticationResult authentication = await authenticator.AuthenticateAsync(organization, form, basic, cancellationToken);
        if (authentication.Client is not Client client)
        {
            return new RevocationResult(authentication.Error, authentication.BasicAttempted, null, null);
        }

        if (!form.TryGetSingle(ParameterNames.Token, out string? token) || token is null)
        {
            return new RevocationResult(OAuthError.InvalidRequest("token is missing or repeated."), false, client.ClientId, null);
        }

        DateTimeOffset now = timeProvider.GetUtcNow();
        string? grantId = await FindGrantAsync(organization, client, token, cancellationToken);
        if (grantId is not null)
        {
            await grants.RevokeAsync(organization.Id, grantId, now, cancellationToken);
        }

        return new RevocationResult(null, false, client.ClientId, grantId);
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

        SigningKeys signingKeys = await keys.GetAsync(organization.Id, cancellationToken);
        using JwtValidationResult validation = JwtValidator.Validate(token, new JwtValidationParameters
        {
            Keys = signingKeys.Verification,
            AllowedAlgorithms = AllowedAlgorithms,
            Issuer = organization.Issuer,
            Audiences = [organization.Issuer],
            RequiredType = JwtType.AccessToken,
            TimeProvider = timeProvider,
        });
        if (!validation.IsValid
            || !validation.Payload.TryGetProperty("client_id"u8, out JsonElement clientId)
            || !clientId.ValueEquals(client.ClientId)
            || !validation.Payload.TryGetProperty("gid"u8, out JsonElement gid)
            || gid.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        return gid.GetString();
    }
}

/// <summary>Success is HTTP 200 with an empty body; <see cref="GrantId"/> says what was revoked, for the audit log.</summary>
public sealed record RevocationResult(OAuthError? Error, bool BasicAttempted, string? ClientId, string? GrantId)
{
    public bool IsSuccess => Error is null;
}

using Clavex.Core.Clients;
using Clavex.Core.Protocol;
using Clavex.Core.Stores;
using Clavex.Core.Users;

namespace Clavex.Core.Token;

/// <summary>
/// The refresh_token grant (RFC 6749 §6, OIDC Core §12): the token rotates on every use, and a token presented after
/// it was rotated away revokes its whole grant (RFC 9700 §4.14.2). The ID token keeps <c>sub</c> and <c>auth_time</c>.
/// </summary>
public sealed class RefreshTokenGrant(IGrantStore grants, IUserStore users, ISigningKeyStore keys, TimeProvider timeProvider)
{
    public async Task<TokenResult> HandleAsync(Organization organization, Client client, ProtocolParameters form, CancellationToken cancellationToken)
    {
        form.TryGetSingle(ParameterNames.RefreshToken, out string? presented);
        if (presented is null)
        {
            return Fail(client, OAuthError.InvalidRequest("refresh_token is missing."));
        }

        form.TryGetSingle(ParameterNames.Scope, out string? scope);
        DateTimeOffset now = timeProvider.GetUtcNow();
        string replacement = OpaqueToken.New(OpaqueToken.SecretBytes);
        RefreshRotation rotation = await grants.RotateAsync(
            organization.Id,
            OpaqueToken.Hash(presented),
            client.ClientId,
            new RefreshTokenRecord(OpaqueToken.Hash(replacement), now, now + client.Lifetimes.RefreshTokenSliding),
            now,
            cancellationToken);

        Grant? grant = rotation.Grant;
        switch (rotation.Status)
        {
            case RefreshRotationStatus.Rotated:
                break;
            case RefreshRotationStatus.Reused:
                await grants.RevokeAsync(organization.Id, grant!.GrantId, now, cancellationToken);
                return Fail(client, OAuthError.InvalidGrant("The refresh token was already used; the grant has been revoked.", "refresh token reuse"), grant);
            case RefreshRotationStatus.Expired:
                return Fail(client, OAuthError.InvalidGrant("The refresh token has expired."), grant);
            case RefreshRotationStatus.Revoked:
                return Fail(client, OAuthError.InvalidGrant("The refresh token has been revoked."), grant);
            case RefreshRotationStatus.ClientMismatch:
                return Fail(client, OAuthError.InvalidGrant("The refresh token was issued to another client.", "client mismatch"));
            default:
                return Fail(client, OAuthError.InvalidGrant("The refresh token is invalid.", "unknown refresh token"));
        }

        // RFC 6749 §6: the requested scope may only narrow the original grant; the grant itself keeps its scope.
        IReadOnlyList<string> scopes = grant!.Scopes;
        if (scope is not null)
        {
            List<string> requested = ScopeList.Parse(scope);
            foreach (string item in requested)
            {
                if (!ScopeList.Contains(grant.Scopes, item))
                {
                    return Fail(client, OAuthError.InvalidScope($"The scope '{item}' was not part of the original grant.", $"scope {item}"), grant);
                }
            }

            scopes = requested;
        }

        User? user = await IncludedUser.ResolveAsync(rotation.User, users, organization.Id, grant.Subject, cancellationToken);
        if (user is not { Enabled: true })
        {
            await grants.RevokeAsync(organization.Id, grant.GrantId, now, cancellationToken);
            return Fail(client, OAuthError.InvalidGrant("The user of this refresh token is no longer active.", "user missing or disabled"), grant);
        }

        SigningKeys signingKeys = await keys.GetAsync(organization.Id, cancellationToken);
        TokenResponse response = TokenIssuance.Issue(
            new UserTokenRequest(
                organization.Issuer, scopes, now, grant.AuthTime, Nonce: null, grant.Acr, grant.Amr, grant.SessionId, grant.GrantId, replacement),
            user,
            client,
            signingKeys.Current);

        return TokenResult.Success(response, GrantTypes.RefreshToken, client.ClientId, grant.Subject, grant.GrantId);
    }

    private static TokenResult Fail(Client client, OAuthError error, Grant? grant = null) =>
        TokenResult.Failure(error, GrantTypes.RefreshToken, client.ClientId, grant?.Subject, grant?.GrantId);
}

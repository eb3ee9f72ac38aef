using Clavex.Core.Authorization;
using Clavex.Core.Clients;
using Clavex.Core.Pkce;
using Clavex.Core.Protocol;
using Clavex.Core.Stores;
using Clavex.Core.Users;

namespace Clavex.Core.Token;

/// <summary>
/// The authorization_code grant (RFC 6749 §4.1.3, OIDC Core §3.1.3.2, RFC 7636 §4.6): redeem the code in one atomic
/// store call, then check it against the request; any mismatch burns the code and revokes its grant.
/// </summary>
public sealed class AuthorizationCodeGrant(
    IAuthorizationCodeStore codes, IGrantStore grants, IUserStore users, ISigningKeyStore keys, TimeProvider timeProvider)
{
    public async Task<TokenResult> HandleAsync(Organization organization, Client client, ProtocolParameters form, CancellationToken cancellationToken)
    {
        form.TryGetSingle(ParameterNames.Code, out string? code);
        if (code is null)
        {
            return Fail(client, OAuthError.InvalidRequest("code is missing."));
        }

        form.TryGetSingle(ParameterNames.RedirectUri, out string? redirectUri);
        form.TryGetSingle(ParameterNames.CodeVerifier, out string? verifier);

        DateTimeOffset now = timeProvider.GetUtcNow();
        string refreshToken = OpaqueToken.New(OpaqueToken.SecretBytes);
        var firstRefresh = new RefreshTokenRecord(OpaqueToken.Hash(refreshToken), now, now + client.Lifetimes.RefreshTokenSliding);
        CodeRedemption redemption = await codes.RedeemAsync(
            organization.Id, OpaqueToken.Hash(code), now, firstRefresh, now + client.Lifetimes.RefreshTokenAbsolute, cancellationToken);

        switch (redemption.Status)
        {
            case CodeRedemptionStatus.NotFound:
                return Fail(client, OAuthError.InvalidGrant("The authorization code is invalid.", "unknown code"));
            case CodeRedemptionStatus.AlreadyRedeemed:
                // RFC 6749 §4.1.2, RFC 9700 §4.5.3: a replayed code revokes everything issued from it.
                AuthorizationCode replayed = redemption.Code!;
                await grants.RevokeAsync(organization.Id, replayed.GrantId, now, cancellationToken);
                return Fail(client, OAuthError.InvalidGrant("The authorization code has already been used.", "code replay; grant revoked"), replayed);
        }

        AuthorizationCode redeemed = redemption.Code!;
        OAuthError? error = Check(redeemed, client, redirectUri, verifier, now);
        User? user = null;
        if (error is null)
        {
            user = await IncludedUser.ResolveAsync(redemption.User, users, organization.Id, redeemed.Subject, cancellationToken);
            if (user is not { Enabled: true })
            {
                error = OAuthError.InvalidGrant("The user of this authorization code is no longer active.", "user missing or disabled");
            }
        }

        if (error is not null)
        {
            await grants.RevokeAsync(organization.Id, redeemed.GrantId, now, cancellationToken);
            return Fail(client, error, redeemed);
        }

        SigningKeys signingKeys = await keys.GetAsync(organization.Id, cancellationToken);
        TokenResponse response = TokenIssuance.Issue(
            new UserTokenRequest(
                organization.Issuer,
                redeemed.Scopes,
                now,
                redeemed.AuthTime,
                redeemed.Nonce,
                redeemed.Acr,
                redeemed.Amr,
                redeemed.SessionId,
                redeemed.GrantId,
                redeemed.IssueRefreshToken ? refreshToken : null),
            user!,
            client,
            signingKeys.Current);

        return TokenResult.Success(response, GrantTypes.AuthorizationCode, client.ClientId, redeemed.Subject, redeemed.GrantId);
    }

    private static OAuthError? Check(AuthorizationCode code, Client client, string? redirectUri, string? verifier, DateTimeOffset now)
    {
        // RFC 6749 §4.1.3: the code must have been issued to this client.
        if (!string.Equals(code.ClientId, client.ClientId, StringComparison.Ordinal))
        {
            return OAuthError.InvalidGrant("The authorization code was issued to another client.", $"code belongs to '{code.ClientId}'");
        }

        if (now >= code.ExpiresAt)
        {
            return OAuthError.InvalidGrant("The authorization code has expired.");
        }

        // RFC 6749 §4.1.3: redirect_uri must be identical to the one in the authorization request.
        if (!string.Equals(code.RedirectUri, redirectUri, StringComparison.Ordinal))
        {
            return OAuthError.InvalidGrant(
                redirectUri is null ? "redirect_uri is missing; it must repeat the one of the authorization request." : "redirect_uri does not match the one of the authorization request.");
        }

        return CheckPkce(code, verifier);
    }

    private static OAuthError? CheckPkce(AuthorizationCode code, string? verifier)
    {
        if (code.CodeChallenge is null)
        {
            // RFC 9700 §2.1.1: a verifier for a code issued without a challenge is a downgrade attempt.
            return verifier is null
                ? null
                : OAuthError.InvalidGrant("code_verifier was sent, but the authorization request had no code_challenge.");
        }

        if (verifier is null)
        {
            return OAuthError.InvalidGrant("code_verifier is missing; the authorization request had a code_challenge.");
        }

        bool matches = code.CodeChallengeMethod == CodeChallenge.MethodPlain
            ? CodeChallenge.VerifyPlain(verifier, code.CodeChallenge)
            : CodeChallenge.VerifyS256(verifier, code.CodeChallenge);
        return matches ? null : OAuthError.InvalidGrant("code_verifier does not match the code_challenge (PKCE).", "PKCE mismatch");
    }

    private static TokenResult Fail(Client client, OAuthError error, AuthorizationCode? code = null) =>
        TokenResult.Failure(error, GrantTypes.AuthorizationCode, client.ClientId, code?.Subject, code?.GrantId);
}

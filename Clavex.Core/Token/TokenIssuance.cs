using Clavex.Core.Clients;
using Clavex.Core.Jose;
using Clavex.Core.Protocol;
using Clavex.Core.Users;

namespace Clavex.Core.Token;

/// <summary>What one successful user grant turns into: an access token, an ID token for OpenID requests, a refresh token.</summary>
internal static class TokenIssuance
{
    public static TokenResponse Issue(in UserTokenRequest request, User user, Client client, JwsKey key)
    {
        string scope = ScopeList.Join(request.Scopes);
        DateTimeOffset expires = request.Now + client.Lifetimes.AccessToken;
        string accessToken = TokenIssuer.CreateAccessToken(
            new AccessTokenContent(request.Issuer, user.Subject, client.ClientId, scope, request.Now, expires, request.AuthTime, request.SessionId, request.GrantId),
            key);

        string? idToken = null;
        if (ScopeList.Contains(request.Scopes, Scopes.OpenId))
        {
            idToken = TokenIssuer.CreateIdToken(
                new IdTokenContent(request.Issuer, request.Scopes, request.Now, request.AuthTime, request.Nonce, request.Acr, request.Amr, request.SessionId, accessToken),
                user,
                client,
                key);
        }

        return new TokenResponse
        {
            AccessToken = accessToken,
            ExpiresIn = (int)client.Lifetimes.AccessToken.TotalSeconds,
            IdToken = idToken,
            RefreshToken = request.RefreshToken,
            Scope = scope,
        };
    }
}

internal readonly record struct UserTokenRequest(
    string Issuer,
    IReadOnlyList<string> Scopes,
    DateTimeOffset Now,
    DateTimeOffset AuthTime,
    string? Nonce,
    string? Acr,
    IReadOnlyList<string> Amr,
    string? SessionId,
    string GrantId,
    string? RefreshToken);

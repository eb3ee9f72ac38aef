using Clavex.Core.Claims;
using Clavex.Core.Clients;
using Clavex.Core.Jose;
using Clavex.Core.Protocol;
using Clavex.Core.Users;

namespace Clavex.Core.Token;

/// <summary>Writes and signs access and ID tokens: the hot path of every sign-in and refresh.</summary>
public static class TokenIssuer
{
    /// <summary>
    /// An RFC 9068 JWT access token. Its audience is the issuer: Clavex's userinfo and introspection endpoints are
    /// the resource servers it is for.
    /// </summary>
    public static string CreateAccessToken(in AccessTokenContent content, JwsKey key)
    {
        using var jwt = JwtWriter.Create();
        var claims = jwt.Claims;
        claims.WriteString(JwtClaimNames.Iss, content.Issuer);
        claims.WriteString(JwtClaimNames.Sub, content.Subject);
        claims.WriteString(JwtClaimNames.Aud, content.Issuer);
        claims.WriteString(JwtClaimNames.ClientId, content.ClientId);
        claims.WriteString(JwtClaimNames.Scope, content.Scope);
        Span<byte> jti = stackalloc byte[OpaqueToken.IdentifierBytes];
        System.Security.Cryptography.RandomNumberGenerator.Fill(jti);
        claims.WriteBase64UrlString(JwtClaimNames.Jti, jti);
        claims.WriteNumber(JwtClaimNames.Iat, content.IssuedAt.ToUnixTimeSeconds());
        claims.WriteNumber(JwtClaimNames.Exp, content.ExpiresAt.ToUnixTimeSeconds());
        if (content.AuthTime is DateTimeOffset authTime)
        {
            claims.WriteNumber(JwtClaimNames.AuthTime, authTime.ToUnixTimeSeconds());
        }

        if (content.SessionId is not null)
        {
            claims.WriteString(JwtClaimNames.Sid, content.SessionId);
        }

        if (content.GrantId is not null)
        {
            claims.WriteString(JwtClaimNames.Gid, content.GrantId);
        }

        return jwt.Sign(key, JwtType.AccessToken);
    }

    /// <summary>An ID token (OIDC Core §2), with the user's claims for the granted scopes as the client's mapping shapes them.</summary>
    public static string CreateIdToken(in IdTokenContent content, User user, Client client, JwsKey key)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(client);
        using var jwt = JwtWriter.Create();
        var claims = jwt.Claims;
        claims.WriteString(JwtClaimNames.Iss, content.Issuer);
        claims.WriteString(JwtClaimNames.Sub, user.Subject);
        claims.WriteString(JwtClaimNames.Aud, client.ClientId);
        // OIDC Core §2: azp is the party the token was issued to; with a single audience it equals aud.
        claims.WriteString(JwtClaimNames.Azp, client.ClientId);
        claims.WriteNumber(JwtClaimNames.Exp, (content.IssuedAt + client.Lifetimes.IdToken).ToUnixTimeSeconds());
        claims.WriteNumber(JwtClaimNames.Iat, content.IssuedAt.ToUnixTimeSeconds());
        claims.WriteNumber(JwtClaimNames.AuthTime, content.AuthTime.ToUnixTimeSeconds());
        if (content.Nonce is not null)
        {
            claims.WriteString(JwtClaimNames.Nonce, content.Nonce);
        }

        if (content.Acr is not null)
        {
            claims.WriteString(JwtClaimNames.Acr, content.Acr);
        }

        if (content.Amr is { Count: > 0 } amr)
        {
            claims.WriteStartArray(JwtClaimNames.Amr);
            for (int i = 0; i < amr.Count; i++)
            {
                claims.WriteStringValue(amr[i]);
            }

            claims.WriteEndArray();
        }

        if (content.SessionId is not null)
        {
            claims.WriteString(JwtClaimNames.Sid, content.SessionId);
        }

        if (content.AccessToken is not null)
        {
            claims.WriteLeftHalfHash(JwtClaimNames.AtHash, content.AccessToken);
        }

        UserClaimsWriter.Write(claims, user, content.Scopes, client.ClaimMapping, ClaimTarget.IdToken);
        return jwt.Sign(key, JwtType.Jwt);
    }
}

public readonly record struct AccessTokenContent(
    string Issuer,
    string Subject,
    string ClientId,
    string Scope,
    DateTimeOffset IssuedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? AuthTime,
    string? SessionId,
    string? GrantId);

public readonly record struct IdTokenContent(
    string Issuer,
    IReadOnlyList<string> Scopes,
    DateTimeOffset IssuedAt,
    DateTimeOffset AuthTime,
    string? Nonce,
    string? Acr,
    IReadOnlyList<string>? Amr,
    string? SessionId,
    string? AccessToken);

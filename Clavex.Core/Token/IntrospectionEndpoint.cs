using System.Buffers;
using System.Text.Json;
using Clavex.Core.Clients;
using Clavex.Core.Jose;
using Clavex.Core.Protocol;
using Clavex.Core.Stores;

namespace Clavex.Core.Token;

/// <summary>
/// Token introspection (RFC 7662). Access tokens: any client of the organisation that authenticates may ask (§2.1: the
/// resource servers of the organisation); a token is active when its signature, issuer and lifetime hold and its grant
/// has not been revoked. Refresh tokens: only the client they were issued to learns that one is active (§2.2 lets the
/// server answer each caller differently), and only while it is the current token of an unrevoked, unexpired grant.
/// </summary>
public sealed class IntrospectionEndpoint(ClientAuthenticator authenticator, IGrantStore grants, ISigningKeyStore keys, TimeProvider timeProvider)
{
    private static readonly JwsAlgorithm[] AllowedAlgorithms = [JwsAlgorithm.RS256, JwsAlgorithm.PS256, JwsAlgorithm.ES256];
    private static readonly byte[] Inactive = """{"active":false}"""u8.ToArray();

    public async Task<IntrospectionResult> HandleAsync(Organization organization, ProtocolParameters form, BasicCredentials? basic, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(organization);
        ArgumentNullException.ThrowIfNull(form);
        ClientAuthenticationResult authentication = await authenticator.AuthenticateAsync(organization, form, basic, cancellationToken);
        if (authentication.Client is not Client client)
        {
            return new IntrospectionResult(null, authentication.Error, authentication.BasicAttempted, null);
        }

        if (!form.TryGetSingle(ParameterNames.Token, out string? token) || token is null)
        {
            return new IntrospectionResult(null, OAuthError.InvalidRequest("token is missing or repeated."), false, client.ClientId);
        }

        // §2.1: token_type_hint is only a hint. Access tokens are JWTs; refresh tokens are opaque base64url, never with a dot.
        if (!token.Contains('.', StringComparison.Ordinal))
        {
            return new IntrospectionResult(await IntrospectRefreshTokenAsync(organization, client, token, cancellationToken), null, false, client.ClientId);
        }

        SigningKeys signingKeys = await keys.GetAsync(organization.Id, cancellationToken);
        using JwtValidationResult validation = JwtValidator.Validate(token, new JwtValidationParameters
        {
            Keys = signingKeys.Verification,
            AllowedAlgorithms = AllowedAlgorithms,
            Issuer = organization.Issuer,
            Audiences = [organization.Issuer],
            RequiredType = JwtType.AccessToken,
            ClockSkew = TimeSpan.Zero,
            TimeProvider = timeProvider,
        });
        if (!validation.IsValid)
        {
            return new IntrospectionResult(Inactive, null, false, client.ClientId);
        }

        JsonElement claims = validation.Payload;
        if (claims.TryGetProperty("gid"u8, out JsonElement gid) && gid.ValueKind == JsonValueKind.String)
        {
            Grant? grant = await grants.FindAsync(organization.Id, gid.GetString()!, cancellationToken);
            if (grant is null || grant.RevokedAt is not null)
            {
                return new IntrospectionResult(Inactive, null, false, client.ClientId);
            }
        }

        return new IntrospectionResult(WriteActive(claims), null, false, client.ClientId);
    }

    private async Task<byte[]> IntrospectRefreshTokenAsync(Organization organization, Client client, string token, CancellationToken cancellationToken)
    {
        RefreshTokenLookup? lookup = await grants.FindByRefreshTokenAsync(organization.Id, OpaqueToken.Hash(token), cancellationToken);
        if (lookup is null || !lookup.IsActive(timeProvider.GetUtcNow()) || !string.Equals(lookup.Grant.ClientId, client.ClientId, StringComparison.Ordinal))
        {
            return Inactive;
        }

        Grant grant = lookup.Grant;
        DateTimeOffset expiresAt = lookup.ExpiresAt < grant.ExpiresAt ? lookup.ExpiresAt : grant.ExpiresAt;
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, JoseJson.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteBoolean("active"u8, true);

            // token_type (RFC 6749 §7.1) names how an access token is used; a refresh token has none, so it says what it is.
            writer.WriteString("token_use"u8, "refresh_token"u8);
            writer.WriteString("scope"u8, string.Join(' ', grant.Scopes));
            writer.WriteString("client_id"u8, grant.ClientId);
            writer.WriteString("sub"u8, grant.Subject);
            writer.WriteString("iss"u8, organization.Issuer);
            writer.WriteNumber("iat"u8, lookup.CreatedAt.ToUnixTimeSeconds());
            writer.WriteNumber("exp"u8, expiresAt.ToUnixTimeSeconds());
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    // RFC 7662 §2.2: the token's own claims, plus active and token_type.
    private static byte[] WriteActive(JsonElement claims)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, JoseJson.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteBoolean("active"u8, true);
            writer.WriteString("token_type"u8, "Bearer"u8);
            foreach (JsonProperty claim in claims.EnumerateObject())
            {
                if (claim.NameEquals("gid"u8))
                {
                    continue;
                }

                claim.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}

/// <summary>The JSON answer, or a client-authentication error.</summary>
public sealed record IntrospectionResult(byte[]? Json, OAuthError? Error, bool BasicAttempted, string? ClientId);

using System.Buffers;
using System.Text.Json;
using Clavex.Core.Clients;
using Clavex.Core.Jose;
using Clavex.Core.Protocol;
using Clavex.Core.Stores;

namespace Clavex.Core.Token;

/// <summary>
/// Token introspection (RFC 7662). Access tokens: any confidential client of the organisation that authenticates may
/// ask (§2.1: the resource servers of the organisation); public clients cannot authenticate and are refused; a token is active when its signature, issuer and lifetime hold and its grant
/// has not been revoked. Refresh tokens: only the client they were issued to learns that one is active (§2.2 lets the
/// server answer each caller differently), and only while it is the current token of an unrevoked, unexpired grant.
/// </summary>
public sealed class IntrospectionEndpoint(ClientAuthenticator authenticator, AccessTokenValidator accessTokens, IGrantStore grants, TimeProvider timeProvider)
{
    private static readonly byte[] Inactive = """{"active":false}"""u8.ToArray();

    public async Task<IntrospectionResult> HandleAsync(Organization organization, ProtocolParameters form, BasicCredentials? basic, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(organization);
        ArgumentNullException.ThrowIfNull(form);
        ClientAuthenticationResult authentication = await authenticator.AuthenticateAsync(organization, form, basic, cancellationToken);
        if (!authentication.IsSuccess)
        {
            return IntrospectionResult.Failure(authentication.Error, authentication.ClaimedClientId);
        }

        Client client = authentication.Value;

        // §2.1: the caller must be authorised. A public client "authenticates" with its client_id alone, which anyone
        // can send, so it would make introspection anonymous: it is refused, whatever the token.
        if (client.IsPublic)
        {
            return IntrospectionResult.Failure(
                OAuthError.InvalidClient("A public client (token_endpoint_auth_method none) cannot authenticate, so it cannot introspect tokens (RFC 7662 §2.1).", "public client"),
                client.ClientId);
        }

        if (!form.TryGetSingle(ParameterNames.Token, out string? token) || token is null)
        {
            return IntrospectionResult.Failure(OAuthError.InvalidRequest("token is missing or repeated."), client.ClientId);
        }

        // §2.1: token_type_hint is only a hint. Access tokens are JWTs; refresh tokens are opaque base64url, never with a dot.
        byte[] json = token.Contains('.', StringComparison.Ordinal)
            ? await IntrospectAccessTokenAsync(organization, token, cancellationToken)
            : await IntrospectRefreshTokenAsync(organization, client, token, cancellationToken);
        return IntrospectionResult.Success(json, client.ClientId);
    }

    private async Task<byte[]> IntrospectAccessTokenAsync(Organization organization, string token, CancellationToken cancellationToken)
    {
        using ValidatedAccessToken accessToken = await accessTokens.ValidateAsync(organization, token, AccessTokenValidator.NoClockSkew, cancellationToken);
        if (!accessToken.IsValid)
        {
            return Inactive;
        }

        if (accessToken.GrantId is not null && !await accessTokens.IsGrantActiveAsync(organization, accessToken.GrantId, cancellationToken))
        {
            return Inactive;
        }

        return WriteActive(accessToken.Payload);
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
            writer.WriteString(JwtClaimNames.Scope, string.Join(' ', grant.Scopes));
            writer.WriteString(JwtClaimNames.ClientId, grant.ClientId);
            writer.WriteString(JwtClaimNames.Sub, grant.Subject);
            writer.WriteString(JwtClaimNames.Iss, organization.Issuer);
            writer.WriteNumber(JwtClaimNames.Iat, lookup.CreatedAt.ToUnixTimeSeconds());
            writer.WriteNumber(JwtClaimNames.Exp, expiresAt.ToUnixTimeSeconds());
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
                if (claim.NameEquals(JwtClaimNames.Gid.EncodedUtf8Bytes))
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

/// <summary>The JSON answer (active or not), or a client-authentication error; <see cref="ClientId"/> once the client is known.</summary>
public sealed record IntrospectionResult : ProtocolResult<byte[]>
{
    private IntrospectionResult(byte[] json)
        : base(json)
    {
    }

    private IntrospectionResult(OAuthError error)
        : base(error)
    {
    }

    public byte[]? Json => Value;

    public string? ClientId { get; private init; }

    internal static IntrospectionResult Success(byte[] json, string clientId) => new(json) { ClientId = clientId };

    internal static IntrospectionResult Failure(OAuthError error, string? clientId) => new(error) { ClientId = clientId };
}

using System.Buffers;
using System.Text.Json;
using Clavex.Core.Clients;
using Clavex.Core.Jose;
using Clavex.Core.Protocol;
using Clavex.Core.Stores;

namespace Clavex.Core.Token;

/// <summary>
/// Token introspection (RFC 7662) for Clavex's access tokens: any client of the organisation that authenticates may ask
/// (§2.1: the resource servers of the organisation). A token is active when its signature, issuer and lifetime hold and
/// its grant has not been revoked. Refresh tokens are reported inactive: they are only for the client that holds them.
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

using System.Buffers;
using System.Text.Json;
using Clavex.Core.Claims;
using Clavex.Core.Clients;
using Clavex.Core.Jose;
using Clavex.Core.Protocol;
using Clavex.Core.Stores;
using Clavex.Core.Token;
using Clavex.Core.Users;

namespace Clavex.Core.UserInfo;

/// <summary>
/// The userinfo endpoint (OIDC Core §5.3): a Clavex access token in, the user's current claims for the token's
/// scopes out, shaped by the client's claim mapping.
/// </summary>
public sealed class UserInfoEndpoint(IClientStore clients, IGrantStore grants, IUserStore users, ISigningKeyStore keys, TimeProvider timeProvider)
{
    /// <summary>Clavex validates its own tokens on its own clocks; only instance drift needs tolerating.</summary>
    private static readonly TimeSpan OwnTokenClockSkew = TimeSpan.FromSeconds(5);

    private static readonly JwsAlgorithm[] AllowedAlgorithms = [JwsAlgorithm.RS256, JwsAlgorithm.PS256, JwsAlgorithm.ES256];

    public async Task<UserInfoResult> HandleAsync(Organization organization, string? accessToken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(organization);
        if (string.IsNullOrEmpty(accessToken))
        {
            // RFC 6750 §3.1: a request without a token gets the challenge but no error code.
            return UserInfoResult.Unauthorized(null, null);
        }

        SigningKeys signingKeys = await keys.GetAsync(organization.Id, cancellationToken);
        AccessTokenClaims claims;
        using (JwtValidationResult validation = JwtValidator.Validate(accessToken, new JwtValidationParameters
        {
            Keys = signingKeys.Verification,
            AllowedAlgorithms = AllowedAlgorithms,
            Issuer = organization.Issuer,
            Audiences = [organization.Issuer],
            RequiredType = JwtType.AccessToken,
            ClockSkew = OwnTokenClockSkew,
            TimeProvider = timeProvider,
        }))
        {
            if (!validation.IsValid)
            {
                return UserInfoResult.Unauthorized(OAuthError.InvalidToken("The access token is invalid or has expired.", validation.Outcome.ToString()), null);
            }

            claims = AccessTokenClaims.Read(validation.Payload);
        }

        if (claims.Subject is null || claims.ClientId is null || !ScopeList.Contains(claims.Scopes, Scopes.OpenId))
        {
            // OIDC Core §5.3.1: userinfo is for access tokens of OpenID Connect requests.
            return UserInfoResult.Forbidden(
                new OAuthError(OAuthErrorCode.InsufficientScope, "The access token was not issued for an OpenID Connect request (scope openid)."),
                claims.ClientId);
        }

        if (claims.GrantId is not null)
        {
            Grant? grant = await grants.FindAsync(organization.Id, claims.GrantId, cancellationToken);
            if (grant is null || grant.RevokedAt is not null)
            {
                return UserInfoResult.Unauthorized(OAuthError.InvalidToken("The access token has been revoked.", "grant revoked"), claims.ClientId);
            }
        }

        Client? client = await clients.FindAsync(organization.Id, claims.ClientId, cancellationToken);
        if (client is not { Enabled: true })
        {
            return UserInfoResult.Unauthorized(OAuthError.InvalidToken("The client of this access token is no longer active.", "client missing or disabled"), claims.ClientId);
        }

        User? user = await users.FindBySubjectAsync(organization.Id, claims.Subject, cancellationToken);
        if (user is not { Enabled: true })
        {
            return UserInfoResult.Unauthorized(OAuthError.InvalidToken("The user of this access token is no longer active.", "user missing or disabled"), claims.ClientId);
        }

        return UserInfoResult.Success(Write(user, claims.Scopes, client), user.Subject, client.ClientId);
    }

    private static byte[] Write(User user, IReadOnlyList<string> scopes, Client client)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, JoseJson.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString(JwtClaimNames.Sub, user.Subject);
            UserClaimsWriter.Write(writer, user, scopes, client.ClaimMapping, ClaimTarget.Userinfo);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private readonly record struct AccessTokenClaims(string? Subject, string? ClientId, IReadOnlyList<string> Scopes, string? GrantId)
    {
        public static AccessTokenClaims Read(JsonElement payload) => new(
            ReadString(payload, "sub"u8),
            ReadString(payload, "client_id"u8),
            ScopeList.Parse(ReadString(payload, "scope"u8)),
            ReadString(payload, "gid"u8));

        private static string? ReadString(JsonElement payload, ReadOnlySpan<byte> name) =>
            payload.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }
}

/// <summary>The userinfo answer: claims JSON, or an RFC 6750 error with its HTTP status (401 or 403).</summary>
public sealed record UserInfoResult
{
    public byte[]? Json { get; init; }

    /// <summary>Null together with a 401 means "no token": a bare <c>WWW-Authenticate: Bearer</c> challenge.</summary>
    public OAuthError? Error { get; init; }

    public int StatusCode { get; init; } = 200;

    public string? Subject { get; init; }

    public string? ClientId { get; init; }

    public bool IsSuccess => Json is not null;

    public static UserInfoResult Success(byte[] json, string subject, string clientId) => new() { Json = json, Subject = subject, ClientId = clientId };

    public static UserInfoResult Unauthorized(OAuthError? error, string? clientId) => new() { Error = error, StatusCode = 401, ClientId = clientId };

    public static UserInfoResult Forbidden(OAuthError error, string? clientId) => new() { Error = error, StatusCode = 403, ClientId = clientId };
}

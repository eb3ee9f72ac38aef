using System.Buffers;
using System.Diagnostics.CodeAnalysis;
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
public sealed class UserInfoEndpoint(AccessTokenValidator accessTokens, IClientStore clients, IUserStore users)
{
    public async Task<UserInfoResult> HandleAsync(Organization organization, string? accessToken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(organization);
        if (string.IsNullOrEmpty(accessToken))
        {
            // RFC 6750 §3.1: a request without a token gets the challenge but no error code.
            return UserInfoResult.Unauthorized(null, null);
        }

        string? subject, clientId, grantId;
        IReadOnlyList<string> scopes;
        using (ValidatedAccessToken validation = await accessTokens.ValidateAsync(
            organization, accessToken, AccessTokenValidator.OwnTokenClockSkew, cancellationToken))
        {
            if (!validation.IsValid)
            {
                return UserInfoResult.Unauthorized(OAuthError.InvalidToken("The access token is invalid or has expired.", validation.Outcome.ToString()), null);
            }

            (subject, clientId, grantId, scopes) = (validation.Subject, validation.ClientId, validation.GrantId, validation.Scopes);
        }

        if (subject is null || clientId is null || !ScopeList.Contains(scopes, Scopes.OpenId))
        {
            // OIDC Core §5.3.1: userinfo is for access tokens of OpenID Connect requests.
            return UserInfoResult.Forbidden(
                new OAuthError(OAuthErrorCode.InsufficientScope, "The access token was not issued for an OpenID Connect request (scope openid)."),
                clientId);
        }

        if (grantId is not null && !await accessTokens.IsGrantActiveAsync(organization, grantId, cancellationToken))
        {
            return UserInfoResult.Unauthorized(OAuthError.InvalidToken("The access token has been revoked.", "grant revoked"), clientId);
        }

        Client? client = await clients.FindAsync(organization.Id, clientId, cancellationToken);
        if (client is not { Enabled: true })
        {
            return UserInfoResult.Unauthorized(OAuthError.InvalidToken("The client of this access token is no longer active.", "client missing or disabled"), clientId);
        }

        User? user = await users.FindBySubjectAsync(organization.Id, subject, cancellationToken);
        if (user is not { Enabled: true })
        {
            return UserInfoResult.Unauthorized(OAuthError.InvalidToken("The user of this access token is no longer active.", "user missing or disabled"), clientId);
        }

        return UserInfoResult.Success(Write(user, scopes, client), user.Subject, client.ClientId);
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
}

/// <summary>
/// The userinfo answer: claims JSON, or an RFC 6750 error with its HTTP status (401 or 403). Unlike
/// <see cref="ProtocolResult{T}"/> it has a third outcome, RFC 6750 §3.1's bare challenge to a request without a token,
/// which carries no error at all.
/// </summary>
public sealed record UserInfoResult
{
    public byte[]? Json { get; init; }

    /// <summary>Null together with a 401 means "no token": a bare <c>WWW-Authenticate: Bearer</c> challenge.</summary>
    public OAuthError? Error { get; init; }

    public int StatusCode { get; init; } = 200;

    public string? Subject { get; init; }

    public string? ClientId { get; init; }

    [MemberNotNullWhen(true, nameof(Json), nameof(Subject), nameof(ClientId))]
    public bool IsSuccess => Json is not null;

    public static UserInfoResult Success(byte[] json, string subject, string clientId) => new() { Json = json, Subject = subject, ClientId = clientId };

    public static UserInfoResult Unauthorized(OAuthError? error, string? clientId) => new() { Error = error, StatusCode = 401, ClientId = clientId };

    public static UserInfoResult Forbidden(OAuthError error, string? clientId) => new() { Error = error, StatusCode = 403, ClientId = clientId };
}

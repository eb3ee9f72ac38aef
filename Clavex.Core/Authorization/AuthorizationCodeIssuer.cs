using Clavex.Core.Protocol;
using Clavex.Core.Sessions;
using Clavex.Core.Stores;

namespace Clavex.Core.Authorization;

/// <summary>Issues the authorization code once the user is authenticated and has consented.</summary>
public sealed class AuthorizationCodeIssuer(IAuthorizationCodeStore codes, TimeProvider timeProvider)
{
    /// <summary>256 bits: a code cannot be guessed within its lifetime.</summary>
    public const int CodeBytes = OpaqueToken.SecretBytes;

    public async Task<AuthorizationResponse> IssueAsync(AuthorizationRequest request, AuthenticationSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(session);
        if (session.OrganizationId != request.Organization.Id)
        {
            throw new ArgumentException("The session belongs to another organisation.", nameof(session));
        }

        DateTimeOffset now = timeProvider.GetUtcNow();
        string code = OpaqueToken.New(CodeBytes);
        await codes.StoreAsync(
            new AuthorizationCode
            {
                OrganizationId = request.Organization.Id,
                CodeHash = OpaqueToken.Hash(code),
                GrantId = OpaqueToken.New(OpaqueToken.IdentifierBytes),
                ClientId = request.Client.ClientId,
                RedirectUri = request.RedirectUri,
                Subject = session.Subject,
                Scopes = request.Scopes,
                Nonce = request.Nonce,
                CodeChallenge = request.CodeChallenge,
                CodeChallengeMethod = request.CodeChallenge is null ? null : request.CodeChallengeMethod,
                AuthTime = session.AuthTime,
                SessionId = session.Id,
                Acr = session.Acr,
                Amr = session.Amr,
                IssuedAt = now,
                ExpiresAt = now + request.Client.Lifetimes.AuthorizationCode,
                IssueRefreshToken = ScopeGrant.IssuesRefreshToken(request.Client, request.Scopes),
            },
            cancellationToken);

        return AuthorizationResponse.Success(request.RedirectUri, request.ResponseMode, code, request.State, request.Organization.Issuer);
    }
}

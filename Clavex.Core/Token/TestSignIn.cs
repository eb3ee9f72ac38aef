using Clavex.Core.Authorization;
using Clavex.Core.Clients;
using Clavex.Core.Pkce;
using Clavex.Core.Protocol;
using Clavex.Core.Sessions;
using Clavex.Core.Stores;
using Clavex.Core.UserInfo;

namespace Clavex.Core.Token;

/// <summary>
/// A rehearsal of one client's sign-in for a chosen user, for an administrator asking "what will this application
/// receive?": an authorization request of the client (validated like any, with its first redirect URI and the scopes
/// asked for), a code issued for the user, the code redeemed by the authorization_code grant, and the access token
/// presented at userinfo. Each step is the provider's own, with the client's real claim mapping; only the user's
/// sign-in and the client's authentication at the token endpoint are skipped, which is why only a host's admin
/// may start one. The grant is revoked before the result is returned, so its refresh and access tokens are dead
/// on arrival, and the ID token names a nonce no relying party sent.
/// </summary>
public sealed class TestSignIn(
    AuthorizationRequestValidator validator, AuthorizationCodeIssuer codes, AuthorizationCodeGrant codeGrant, UserInfoEndpoint userInfo, IGrantStore grants,
    TimeProvider timeProvider)
{
    /// <summary>The <c>amr</c> of a rehearsal's tokens: nobody authenticated, an administrator asked.</summary>
    public const string Method = "clavex_test";

    public async Task<TestSignInResult> RunAsync(Organization organization, Client client, string subject, string scope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(organization);
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(subject);
        if (client.RedirectUris.Count == 0)
        {
            return TestSignInResult.Failed("authorize", OAuthError.InvalidRequest($"Client '{client.ClientId}' has no redirect URI, so it cannot use the authorization code flow."));
        }

        string verifier = OpaqueToken.New(OpaqueToken.SecretBytes);
        var parameters = new ProtocolParameters(
        [
            new(ParameterNames.ResponseType, "code"), new(ParameterNames.ClientId, client.ClientId), new(ParameterNames.RedirectUri, client.RedirectUris[0]),
            new(ParameterNames.Scope, scope), new(ParameterNames.State, OpaqueToken.New(OpaqueToken.IdentifierBytes)),
            new(ParameterNames.Nonce, "clavex-test-" + OpaqueToken.New(OpaqueToken.IdentifierBytes)),
            new(ParameterNames.CodeChallenge, CodeChallenge.CreateS256(verifier)), new(ParameterNames.CodeChallengeMethod, CodeChallenge.MethodS256),
        ]);
        AuthorizationValidation validation = await validator.ValidateAsync(organization, parameters, cancellationToken);
        if (validation.Request is not AuthorizationRequest request)
        {
            OAuthError error = validation.Rejection?.Error ?? validation.Redirect?.Error ?? OAuthError.InvalidRequest("The authorization request was refused.");
            return TestSignInResult.Failed("authorize", error);
        }

        DateTimeOffset now = timeProvider.GetUtcNow();
        var session = new AuthenticationSession
        {
            OrganizationId = organization.Id,
            Id = "test-" + OpaqueToken.New(OpaqueToken.IdentifierBytes),
            Subject = subject,
            AuthTime = now,
            Amr = [Method],
            ExpiresAt = now.AddMinutes(5),
        };
        AuthorizationResponse response = await codes.IssueAsync(request, session, cancellationToken);
        string code = Find(response.Parameters, ParameterNames.Code)!;
        var form = new ProtocolParameters(
        [
            new(ParameterNames.GrantType, GrantTypes.AuthorizationCode), new(ParameterNames.Code, code),
            new(ParameterNames.RedirectUri, request.RedirectUri), new(ParameterNames.CodeVerifier, verifier),
        ]);
        TokenResult tokens = await codeGrant.HandleAsync(organization, client, form, cancellationToken);
        if (tokens.Response is not TokenResponse issued)
        {
            return TestSignInResult.Failed("token", tokens.Error!);
        }

        try
        {
            UserInfoResult info = await userInfo.HandleAsync(organization, issued.AccessToken, cancellationToken);
            return new TestSignInResult
            {
                Scopes = request.Scopes,
                IdToken = issued.IdToken,
                AccessToken = issued.AccessToken,
                HasRefreshToken = issued.RefreshToken is not null,
                UserInfoJson = info.Json,
                UserInfoError = info.Error,
                GrantId = tokens.GrantId,
            };
        }
        finally
        {
            await grants.RevokeAsync(organization.Id, tokens.GrantId!, timeProvider.GetUtcNow(), CancellationToken.None);
        }
    }

    private static string? Find(IReadOnlyList<KeyValuePair<string, string>> parameters, string name)
    {
        foreach (KeyValuePair<string, string> parameter in parameters)
        {
            if (parameter.Key == name)
            {
                return parameter.Value;
            }
        }

        return null;
    }
}

/// <summary>What a <see cref="TestSignIn"/> produced, or the step that refused it and why.</summary>
public sealed record TestSignInResult
{
    public IReadOnlyList<string> Scopes { get; init; } = [];

    public string? IdToken { get; init; }

    public string? AccessToken { get; init; }

    public bool HasRefreshToken { get; init; }

    public byte[]? UserInfoJson { get; init; }

    public OAuthError? UserInfoError { get; init; }

    /// <summary>The grant the rehearsal made, already revoked.</summary>
    public string? GrantId { get; init; }

    /// <summary><c>authorize</c> or <c>token</c> when a step refused, with <see cref="Error"/>.</summary>
    public string? FailedStep { get; init; }

    public OAuthError? Error { get; init; }

    public bool IsSuccess => Error is null;

    internal static TestSignInResult Failed(string step, OAuthError error) => new() { FailedStep = step, Error = error };

    public override string ToString() => IsSuccess ? $"TestSignInResult {{ GrantId = {GrantId} }}" : $"TestSignInResult {{ FailedStep = {FailedStep}, Error = {Error} }}";
}

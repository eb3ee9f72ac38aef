using Clavex.Core.Clients;
using Clavex.Core.Protocol;

namespace Clavex.Core.Token;

/// <summary>
/// The token endpoint (RFC 6749 §3.2): read the grant type, authenticate the client, check the client may use the
/// grant, and hand over to the grant.
/// </summary>
public sealed class TokenEndpoint(
    ClientAuthenticator authenticator,
    AuthorizationCodeGrant authorizationCode,
    RefreshTokenGrant refreshToken,
    ClientCredentialsGrant clientCredentials)
{
    public async Task<TokenResult> HandleAsync(
        Organization organization, ProtocolParameters form, BasicCredentials? basic, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(organization);
        ArgumentNullException.ThrowIfNull(form);

        // RFC 6749 §3.1: every parameter at most once. One check for all of them, grant_type included, so a repeat
        // reads the same whichever parameter it is. A repeated grant_type reads as null here.
        form.TryGetSingle(ParameterNames.GrantType, out string? grantType);
        string? repeated = form.FindRepeated(SingleValuedParameters);
        if (repeated is not null)
        {
            return TokenResult.Failure(OAuthError.InvalidRequest($"The parameter '{repeated}' was given more than once."), grantType);
        }

        if (grantType is null)
        {
            return TokenResult.Failure(OAuthError.InvalidRequest("grant_type is missing."));
        }

        if (grantType is not (GrantTypes.AuthorizationCode or GrantTypes.RefreshToken or GrantTypes.ClientCredentials))
        {
            // The description names the value although it is raw input: a test pins this wording.
            return TokenResult.Failure(
                new OAuthError(OAuthErrorCode.UnsupportedGrantType, $"grant_type '{grantType}' is not supported.", $"grant_type {grantType}"), grantType);
        }

        ClientAuthenticationResult authentication = await authenticator.AuthenticateAsync(organization, form, basic, cancellationToken);
        if (!authentication.IsSuccess)
        {
            return TokenResult.Failure(authentication.Error, grantType, authentication.ClaimedClientId) with { BasicAttempted = authentication.BasicAttempted };
        }

        Client client = authentication.Value;
        if (!client.HasGrantType(grantType))
        {
            return TokenResult.Failure(
                OAuthError.UnauthorizedClient($"Client '{client.ClientId}' is not registered for the {grantType} grant."), grantType, client.ClientId);
        }

        TokenResult result = grantType switch
        {
            GrantTypes.AuthorizationCode => await authorizationCode.HandleAsync(organization, client, form, cancellationToken),
            GrantTypes.RefreshToken => await refreshToken.HandleAsync(organization, client, form, cancellationToken),
            _ => await clientCredentials.HandleAsync(organization, client, form, cancellationToken),
        };
        return authentication.MatchedSecretId is null ? result : result with { ClientSecretId = authentication.MatchedSecretId };
    }

    private static readonly string[] SingleValuedParameters =
    [
        ParameterNames.GrantType, ParameterNames.Code, ParameterNames.RedirectUri, ParameterNames.CodeVerifier, ParameterNames.RefreshToken,
        ParameterNames.Scope, ParameterNames.ClientId, ParameterNames.ClientSecret, ParameterNames.ClientAssertion,
        ParameterNames.ClientAssertionType,
    ];
}

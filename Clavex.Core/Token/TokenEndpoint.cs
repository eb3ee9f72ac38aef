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

        if (!form.TryGetSingle(ParameterNames.GrantType, out string? grantType))
        {
            return new TokenResult { Error = OAuthError.InvalidRequest("grant_type was given more than once.") };
        }

        if (grantType is null)
        {
            return new TokenResult { Error = OAuthError.InvalidRequest("grant_type is missing.") };
        }

        if (grantType is not (GrantTypes.AuthorizationCode or GrantTypes.RefreshToken or GrantTypes.ClientCredentials))
        {
            return new TokenResult
            {
                Error = new OAuthError(OAuthErrorCode.UnsupportedGrantType, $"grant_type '{grantType}' is not supported."),
                GrantType = grantType,
            };
        }

        // RFC 6749 §3.1: every parameter at most once.
        string? repeated = form.FindRepeated(SingleValuedParameters);
        if (repeated is not null)
        {
            return new TokenResult { Error = OAuthError.InvalidRequest($"The parameter '{repeated}' was given more than once."), GrantType = grantType };
        }

        ClientAuthenticationResult authentication = await authenticator.AuthenticateAsync(organization, form, basic, cancellationToken);
        if (authentication.Client is not Client client)
        {
            return new TokenResult { Error = authentication.Error, BasicAttempted = authentication.BasicAttempted, GrantType = grantType };
        }

        if (!client.HasGrantType(grantType))
        {
            return new TokenResult
            {
                Error = OAuthError.UnauthorizedClient($"Client '{client.ClientId}' is not registered for the {grantType} grant."),
                GrantType = grantType,
                ClientId = client.ClientId,
            };
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
        ParameterNames.Code, ParameterNames.RedirectUri, ParameterNames.CodeVerifier, ParameterNames.RefreshToken,
        ParameterNames.Scope, ParameterNames.ClientId, ParameterNames.ClientSecret, ParameterNames.ClientAssertion,
        ParameterNames.ClientAssertionType,
    ];
}

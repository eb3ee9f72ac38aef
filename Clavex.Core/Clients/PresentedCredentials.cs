using Clavex.Core.Protocol;

namespace Clavex.Core.Clients;

/// <summary>
/// The one way a token request presents client credentials, as <see cref="TokenEndpointAuthMethod"/>: a Basic header,
/// a form secret, an assertion, or only a client id (a public client). Nothing here is verified yet.
/// </summary>
internal sealed record PresentedCredentials(TokenEndpointAuthMethod Method, string? ClientId, string? Secret, string? Assertion)
{
    private static readonly string[] s_credentialParameters =
        [ParameterNames.ClientId, ParameterNames.ClientSecret, ParameterNames.ClientAssertion, ParameterNames.ClientAssertionType];

    /// <summary>Reads the credentials, or returns the error for a request that presents them wrongly.</summary>
    public static OAuthError? TryRead(ProtocolParameters form, BasicCredentials? basic, out PresentedCredentials? presented)
    {
        presented = null;

        // RFC 6749 §3.2: request parameters must not be included more than once.
        if (form.FindRepeated(s_credentialParameters) is { } repeated)
        {
            return OAuthError.InvalidRequest($"The {repeated} parameter is repeated.", $"{repeated} repeated");
        }

        form.TryGetSingle(ParameterNames.ClientId, out string? clientId);
        form.TryGetSingle(ParameterNames.ClientSecret, out string? secret);
        form.TryGetSingle(ParameterNames.ClientAssertion, out string? assertion);
        form.TryGetSingle(ParameterNames.ClientAssertionType, out string? assertionType);

        // RFC 7521 §4.2 makes client_assertion_type REQUIRED with client_assertion, and RFC 6749 §5.2 answers a missing
        // required parameter with invalid_request. A type we do not support is an unsupported authentication method,
        // which §5.2 lists under invalid_client, and RFC 7521 §4.2.1 answers any unusable assertion with invalid_client.
        if (assertion is not null && assertionType is null)
        {
            return OAuthError.InvalidRequest("client_assertion_type is required with client_assertion.", "client_assertion_type missing");
        }

        if (assertion is null && assertionType is not null)
        {
            return OAuthError.InvalidRequest("client_assertion is required with client_assertion_type.", "client_assertion missing");
        }

        // RFC 6749 §2.3: the client must not use more than one authentication method in a request.
        int ways = (basic is null ? 0 : 1) + (secret is null ? 0 : 1) + (assertion is null ? 0 : 1);
        if (ways > 1)
        {
            return OAuthError.InvalidRequest("Client credentials must be presented in exactly one way.", "several client authentication methods");
        }

        if (basic is not null)
        {
            if (clientId is not null && !string.Equals(clientId, basic.ClientId, StringComparison.Ordinal))
            {
                return OAuthError.InvalidRequest("client_id differs from the client in the Authorization header.", "client_id does not match Basic");
            }

            presented = new PresentedCredentials(TokenEndpointAuthMethod.ClientSecretBasic, basic.ClientId, basic.ClientSecret, null);
            return null;
        }

        if (secret is not null)
        {
            presented = new PresentedCredentials(TokenEndpointAuthMethod.ClientSecretPost, clientId, secret, null);
            return null;
        }

        if (assertion is not null)
        {
            if (!string.Equals(assertionType, ClientAssertionTypes.JwtBearer, StringComparison.Ordinal))
            {
                return OAuthError.InvalidClient("Unsupported client_assertion_type.", $"client_assertion_type {assertionType}");
            }

            // RFC 7523 §3 makes client_id optional here; without it the assertion names the client, verified later.
            presented = new PresentedCredentials(
                TokenEndpointAuthMethod.PrivateKeyJwt, clientId ?? ClientAssertionValidator.ReadUnverifiedClientId(assertion), null, assertion);
            return null;
        }

        presented = new PresentedCredentials(TokenEndpointAuthMethod.None, clientId, null, null);
        return null;
    }
}

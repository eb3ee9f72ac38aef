using System.Text.Json;
using Clavex.Core.Clients;
using Clavex.Core.Jose;
using Clavex.Core.Protocol;
using Clavex.Core.Stores;

namespace Clavex.Core.Interaction;

/// <summary>
/// Validates an RP-Initiated Logout request (OpenID Connect RP-Initiated Logout 1.0 §2–3): an <c>id_token_hint</c>
/// must be an ID token this organisation signed (expired is fine), naming the same client as <c>client_id</c>; a
/// <c>post_logout_redirect_uri</c> must be registered for that client.
/// </summary>
public sealed class LogoutRequestValidator(IClientStore clients, ISigningKeyStore keys, TimeProvider timeProvider)
{
    private static readonly JwsAlgorithm[] Algorithms = [JwsAlgorithm.RS256, JwsAlgorithm.PS256, JwsAlgorithm.ES256];

    /// <summary>The request, or null when it cannot be trusted (the user is then shown an error, never redirected).</summary>
    public async Task<LogoutRequest?> ValidateAsync(Organization organization, ProtocolParameters parameters, CancellationToken cancellationToken) =>
        (await ValidateWithReasonAsync(organization, parameters, cancellationToken)).Request;

    /// <summary>The request; or null, with why (for the audit log, never shown) and the client it named, if any.</summary>
    public async Task<(LogoutRequest? Request, string? Reason, string? ClientId)> ValidateWithReasonAsync(
        Organization organization, ProtocolParameters parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(organization);
        ArgumentNullException.ThrowIfNull(parameters);
        parameters.TryGetSingle(ParameterNames.IdTokenHint, out string? hint);
        parameters.TryGetSingle(ParameterNames.PostLogoutRedirectUri, out string? postLogoutRedirectUri);
        parameters.TryGetSingle(ParameterNames.State, out string? state);
        parameters.TryGetSingle(ParameterNames.ClientId, out string? clientId);

        string? hintSessionId = null;
        if (hint is not null)
        {
            (string? hintClient, hintSessionId) = await ReadHintAsync(organization, hint, clientId, cancellationToken);
            if (hintClient is null)
            {
                return (null, "id_token_hint is not an ID token this organisation signed", clientId);
            }

            if (clientId is not null && clientId != hintClient)
            {
                return (null, $"id_token_hint was issued to client {hintClient}, but client_id is {clientId}", clientId);
            }

            clientId = hintClient;
        }

        if (postLogoutRedirectUri is not null)
        {
            // §3: the URI must have been registered for the client; without a known client it cannot be trusted.
            Client? client = clientId is null ? null : await clients.FindAsync(organization.Id, clientId, cancellationToken);
            if (client is null || !client.PostLogoutRedirectUris.Contains(postLogoutRedirectUri, StringComparer.Ordinal))
            {
                return (null, clientId is null
                    ? $"post_logout_redirect_uri {postLogoutRedirectUri} without client_id or id_token_hint"
                    : client is null ? $"post_logout_redirect_uri {postLogoutRedirectUri} for unknown client {clientId}"
                    : $"post_logout_redirect_uri {postLogoutRedirectUri} is not registered for client {clientId}", clientId);
            }
        }

        return (new LogoutRequest(clientId, postLogoutRedirectUri, state, hintSessionId), null, clientId);
    }

    /// <summary>The hint's client and session when it is an ID token this organisation signed; it may have expired.</summary>
    private async Task<(string? ClientId, string? SessionId)> ReadHintAsync(Organization organization, string hint, string? clientId, CancellationToken cancellationToken)
    {
        string? audience = clientId ?? UnverifiedAudience(hint);
        if (audience is null)
        {
            return (null, null);
        }

        SigningKeys signingKeys = await keys.GetAsync(organization.Id, cancellationToken);
        using JwtValidationResult result = JwtValidator.Validate(hint, new JwtValidationParameters
        {
            Keys = signingKeys.Verification,
            AllowedAlgorithms = Algorithms,
            Issuer = organization.Issuer,
            Audiences = [audience],
            RequiredType = JwtType.Jwt,
            // §2: an expired ID token is still a fine hint of who is logging out.
            RequireExpiration = false,
            ClockSkew = TimeSpan.FromDays(30),
            TimeProvider = timeProvider,
        });
        if (!result.IsValid)
        {
            return (null, null);
        }

        return (audience, JoseJson.ReadString(result.Payload, JwtClaimNames.Sid.EncodedUtf8Bytes));
    }

    // Only used to pick the audience to validate against; the signature check that follows is what counts.
    private static string? UnverifiedAudience(string token)
    {
        string[] parts = token.Split('.');
        if (parts.Length != 3 || Base64UrlEncoding.DecodeOrNull(parts[1]) is not byte[] payload)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(payload);
            return JoseJson.ReadString(document.RootElement, JwtClaimNames.Aud.EncodedUtf8Bytes);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

using System.Security.Cryptography;
using Clavex.Core.Protocol;
using Clavex.Core.Stores;

namespace Clavex.Core.Clients;

/// <summary>
/// Authenticates the client of a token request (RFC 6749 §2.3, OIDC Core §9, RFC 7523 §2.2): read how credentials
/// were presented, find the client, check the way is one it may use, then verify the secret or the assertion.
/// </summary>
public sealed class ClientAuthenticator(IClientStore clients, IReplayCache replayCache, TimeProvider timeProvider)
{
    // One description for every failure after the client id is known, so that answers never tell a caller which
    // client ids exist, how they authenticate or which check failed; Detail says which, for the audit log.
    private const string FailedDescription = "Client authentication failed.";

    private readonly IClientStore _clients = clients ?? throw new ArgumentNullException(nameof(clients));
    private readonly IReplayCache _replayCache = replayCache ?? throw new ArgumentNullException(nameof(replayCache));
    private readonly TimeProvider _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));

    /// <summary>
    /// <paramref name="basic"/> is the request's Basic header as <see cref="BasicCredentials.TryParse"/> read it. A Basic
    /// header that does not parse never gets here: the host answers it with invalid_client and 401 itself.
    /// </summary>
    public async Task<ClientAuthenticationResult> AuthenticateAsync(
        Organization organization, ProtocolParameters form, BasicCredentials? basic, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(organization);
        ArgumentNullException.ThrowIfNull(form);
        bool basicAttempted = basic is not null;

        OAuthError? error = PresentedCredentials.TryRead(form, basic, out PresentedCredentials? presented);
        if (error is not null)
        {
            return ClientAuthenticationResult.Failure(error, basicAttempted);
        }

        if (presented!.ClientId is not { } clientId)
        {
            return presented.Method == TokenEndpointAuthMethod.PrivateKeyJwt
                ? Fail(basicAttempted, "client assertion names no client, or iss and sub differ")
                : ClientAuthenticationResult.Failure(OAuthError.InvalidClient("Client authentication is required.", "no client id"), basicAttempted);
        }

        Client? client = await _clients.FindAsync(organization.Id, clientId, cancellationToken);
        if (client is null)
        {
            return Fail(basicAttempted, $"unknown client {clientId}", clientId);
        }

        if (!client.Enabled)
        {
            return Fail(basicAttempted, $"client {clientId} is disabled", clientId);
        }

        if (!MayUse(client.TokenEndpointAuthMethod, presented.Method))
        {
            return Fail(basicAttempted, $"client {clientId} is registered for {TokenEndpointAuthMethods.GetName(client.TokenEndpointAuthMethod)} "
                + $"but presented {TokenEndpointAuthMethods.GetName(presented.Method)}", clientId);
        }

        string? matchedSecretId = null;
        switch (presented.Method)
        {
            case TokenEndpointAuthMethod.ClientSecretBasic or TokenEndpointAuthMethod.ClientSecretPost:
                DateTimeOffset now = _timeProvider.GetUtcNow();
                (matchedSecretId, ClientSecret? expired) = MatchSecret(client, presented.Secret!, now);
                if (matchedSecretId is null)
                {
                    // The detail (audit log only) tells a wrong secret from one that was right until it expired.
                    return Fail(basicAttempted, expired is null
                        ? $"client {clientId} presented no valid secret: it matches none of the client's secrets"
                        : $"client {clientId} presented no valid secret: it is secret {expired.Id}, which expired at {expired.ExpiresAt:O}", clientId);
                }

                break;

            case TokenEndpointAuthMethod.PrivateKeyJwt:
                string? refusal = await ClientAssertionValidator.ValidateAsync(
                    presented.Assertion!, client, organization, _replayCache, _timeProvider, cancellationToken);
                if (refusal is not null)
                {
                    return Fail(basicAttempted, $"client {clientId}: {refusal}", clientId);
                }

                break;
        }

        return ClientAuthenticationResult.Success(client, presented.Method, matchedSecretId, basicAttempted);
    }

    /// <summary>
    /// The two secret methods are interchangeable: Atlassian's built-in SSO always sends Basic, even for a client
    /// registered with client_secret_post, and both prove the same secret. Keys and "none" admit only themselves, so
    /// a public client that presents a secret is refused rather than half-authenticated.
    /// </summary>
    private static bool MayUse(TokenEndpointAuthMethod registered, TokenEndpointAuthMethod presented) => registered switch
    {
        TokenEndpointAuthMethod.ClientSecretBasic or TokenEndpointAuthMethod.ClientSecretPost =>
            presented is TokenEndpointAuthMethod.ClientSecretBasic or TokenEndpointAuthMethod.ClientSecretPost,
        _ => presented == registered,
    };

    /// <summary>
    /// Compares the presented secret's hash with every secret valid now, in fixed time and without stopping at a
    /// match, so the time taken depends on how many secrets the client has, not on which one (if any) matched.
    /// </summary>
    private static (string? Matched, ClientSecret? Expired) MatchSecret(Client client, string secret, DateTimeOffset now)
    {
        Span<byte> presented = stackalloc byte[SHA256.HashSizeInBytes];
        ClientSecrets.Hash(secret, presented);

        string? matched = null;
        ClientSecret? expired = null;
        foreach (ClientSecret candidate in client.Secrets)
        {
            bool equal = CryptographicOperations.FixedTimeEquals(presented, candidate.Sha256Hash);
            bool valid = candidate.IsValidAt(now);
            if (equal & valid)
            {
                matched ??= candidate.Id;
            }
            else if (equal)
            {
                expired ??= candidate;
            }
        }

        return (matched, expired);
    }

    private static ClientAuthenticationResult Fail(bool basicAttempted, string detail, string? claimedClientId = null) =>
        ClientAuthenticationResult.Failure(OAuthError.InvalidClient(FailedDescription, detail), basicAttempted, claimedClientId);
}

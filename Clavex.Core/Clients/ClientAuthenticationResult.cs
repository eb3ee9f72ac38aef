using Clavex.Core.Protocol;

namespace Clavex.Core.Clients;

/// <summary>The authenticated client, or the <c>invalid_client</c> (or <c>invalid_request</c>) error to return.</summary>
public sealed record ClientAuthenticationResult : ProtocolResult<Client>
{
    private ClientAuthenticationResult(Client client)
        : base(client)
    {
    }

    private ClientAuthenticationResult(OAuthError error)
        : base(error)
    {
    }

    public Client? Client => Value;

    /// <summary>How the client authenticated this time, which for secrets may differ from how it was registered.</summary>
    public TokenEndpointAuthMethod? Method { get; private init; }

    /// <summary>The id of the secret that matched, for the secret's "last used" time.</summary>
    public string? MatchedSecretId { get; private init; }

    /// <summary>
    /// Whether a Basic <c>Authorization</c> header was presented. The host decides the RFC 6749 §5.2 challenge from
    /// the header it parsed, not from this; it is kept for callers of the core that want to log it.
    /// </summary>
    public bool BasicAttempted { get; private init; }

    /// <summary>
    /// On a failure, the client id the request claimed (unverified: anyone can send any id), so the audit log can be
    /// filtered by the client an admin is looking for; null when the request named none.
    /// </summary>
    public string? ClaimedClientId { get; private init; }

    internal static ClientAuthenticationResult Success(Client client, TokenEndpointAuthMethod method, string? matchedSecretId, bool basicAttempted) =>
        new(client) { Method = method, MatchedSecretId = matchedSecretId, BasicAttempted = basicAttempted };

    internal static ClientAuthenticationResult Failure(OAuthError error, bool basicAttempted, string? claimedClientId = null) =>
        new(error) { BasicAttempted = basicAttempted, ClaimedClientId = claimedClientId };
}

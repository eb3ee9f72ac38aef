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

    internal static ClientAuthenticationResult Success(Client client, TokenEndpointAuthMethod method, string? matchedSecretId, bool basicAttempted) =>
        new(client) { Method = method, MatchedSecretId = matchedSecretId, BasicAttempted = basicAttempted };

    internal static ClientAuthenticationResult Failure(OAuthError error, bool basicAttempted) =>
        new(error) { BasicAttempted = basicAttempted };
}

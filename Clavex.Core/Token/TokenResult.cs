using Clavex.Core.Protocol;

namespace Clavex.Core.Token;

/// <summary>The token endpoint's answer: a response or an error, plus what the audit log needs.</summary>
public sealed record TokenResult : ProtocolResult<TokenResponse>
{
    private TokenResult(TokenResponse response)
        : base(response)
    {
    }

    private TokenResult(OAuthError error)
        : base(error)
    {
    }

    public TokenResponse? Response => Value;

    /// <summary>
    /// Whether client authentication was attempted with HTTP Basic. The host answers the RFC 6749 §5.2 challenge
    /// from the header it parsed, not from this.
    /// </summary>
    public bool BasicAttempted { get; init; }

    public string? GrantType { get; init; }

    public string? ClientId { get; init; }

    public string? Subject { get; init; }

    public string? GrantId { get; init; }

    /// <summary>The client secret that authenticated the request, so the host can record when it was last used.</summary>
    public string? ClientSecretId { get; init; }

    internal static TokenResult Success(TokenResponse response, string grantType, string clientId, string subject, string? grantId = null) =>
        new(response) { GrantType = grantType, ClientId = clientId, Subject = subject, GrantId = grantId };

    internal static TokenResult Failure(OAuthError error, string? grantType = null, string? clientId = null, string? subject = null, string? grantId = null) =>
        new(error) { GrantType = grantType, ClientId = clientId, Subject = subject, GrantId = grantId };
}

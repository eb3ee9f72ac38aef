namespace Clavex.Core.Token;

/// <summary>A successful token response (RFC 6749 §5.1, OIDC Core §3.1.3.3).</summary>
public sealed record TokenResponse
{
    public required string AccessToken { get; init; }

    public string TokenType { get; init; } = "Bearer";

    public required int ExpiresIn { get; init; }

    public string? IdToken { get; init; }

    public string? RefreshToken { get; init; }

    /// <summary>The granted scope, always sent so clients see what was dropped (RFC 6749 §5.1).</summary>
    public required string Scope { get; init; }
}

/// <summary>The token endpoint's answer: a response or an error, plus what the audit log needs.</summary>
public sealed record TokenResult
{
    public TokenResponse? Response { get; init; }

    public Protocol.OAuthError? Error { get; init; }

    /// <summary>Client authentication was attempted with HTTP Basic: an invalid_client answer is 401 with WWW-Authenticate.</summary>
    public bool BasicAttempted { get; init; }

    public string? GrantType { get; init; }

    public string? ClientId { get; init; }

    public string? Subject { get; init; }

    public string? GrantId { get; init; }

    /// <summary>The client secret that authenticated the request, so the host can record when it was last used.</summary>
    public string? ClientSecretId { get; init; }

    public bool IsSuccess => Response is not null;
}

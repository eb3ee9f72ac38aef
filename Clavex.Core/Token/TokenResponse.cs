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

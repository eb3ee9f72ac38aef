namespace Clavex.Core.Authorization;

/// <summary>
/// What a code stands for, stored under the SHA-256 of the code (the code itself is never stored). Everything the
/// token endpoint must check or copy into tokens is bound here (RFC 6749 §4.1.3, RFC 7636 §4.4, OIDC Core §3.1.3).
/// </summary>
public sealed record AuthorizationCode
{
    public required long OrganizationId { get; init; }

    public required byte[] CodeHash { get; init; }

    /// <summary>The grant the code starts; tokens carry it so that a replayed code revokes all of them.</summary>
    public required string GrantId { get; init; }

    public required string ClientId { get; init; }

    public required string RedirectUri { get; init; }

    public required string Subject { get; init; }

    public required IReadOnlyList<string> Scopes { get; init; }

    public string? Nonce { get; init; }

    public string? CodeChallenge { get; init; }

    public string? CodeChallengeMethod { get; init; }

    public required DateTimeOffset AuthTime { get; init; }

    public string? SessionId { get; init; }

    public string? Acr { get; init; }

    public IReadOnlyList<string> Amr { get; init; } = [];

    public required DateTimeOffset IssuedAt { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>Decided at authorization: <c>offline_access</c> granted, or the client always gets one.</summary>
    public bool IssueRefreshToken { get; init; }
}

namespace Clavex.Core.Token;

/// <summary>
/// A user's authorization of a client, started by a redeemed code; the family of its refresh tokens. Revoking it
/// ends every refresh token and, at userinfo and introspection, every access token issued under it.
/// </summary>
public sealed record Grant
{
    public required long OrganizationId { get; init; }

    public required string GrantId { get; init; }

    public required string ClientId { get; init; }

    public required string Subject { get; init; }

    public required IReadOnlyList<string> Scopes { get; init; }

    public required DateTimeOffset AuthTime { get; init; }

    public string? SessionId { get; init; }

    public string? Acr { get; init; }

    public IReadOnlyList<string> Amr { get; init; } = [];

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The absolute end of the grant's refresh tokens.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    public DateTimeOffset? RevokedAt { get; init; }
}

/// <summary>One refresh token of a grant, known by its SHA-256 hash.</summary>
public sealed record RefreshTokenRecord(byte[] TokenHash, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);

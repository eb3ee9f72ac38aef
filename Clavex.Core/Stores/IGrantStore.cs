using Clavex.Core.Token;

namespace Clavex.Core.Stores;

/// <summary>Grants and their refresh-token families.</summary>
public interface IGrantStore
{
    /// <summary>
    /// Creates a grant that did not come from a stored code path (e.g. when the code store cannot create it).
    /// </summary>
    Task CreateAsync(Grant grant, RefreshTokenRecord? firstRefreshToken, CancellationToken cancellationToken);

    /// <summary>
    /// Rotates a refresh token atomically (RFC 9700 §4.14.2): if <paramref name="presentedHash"/> is the grant's
    /// current token, unexpired, its grant active and bound to <paramref name="clientId"/>, it is consumed and
    /// <paramref name="replacement"/> becomes current, its expiry capped at the grant's absolute expiry. A token that
    /// was already rotated is reported as <see cref="RefreshRotationStatus.Reused"/>; the caller revokes the grant.
    /// </summary>
    Task<RefreshRotation> RotateAsync(
        long organizationId,
        byte[] presentedHash,
        string clientId,
        RefreshTokenRecord replacement,
        DateTimeOffset now,
        CancellationToken cancellationToken);

    /// <summary>A refresh token with its grant, whatever their state (for revocation and introspection).</summary>
    Task<RefreshTokenLookup?> FindByRefreshTokenAsync(long organizationId, byte[] tokenHash, CancellationToken cancellationToken);

    Task<Grant?> FindAsync(long organizationId, string grantId, CancellationToken cancellationToken);

    /// <summary>Revokes the grant and all its refresh tokens. Idempotent.</summary>
    Task RevokeAsync(long organizationId, string grantId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Revokes every grant of a user (disabled or deleted users, password resets). Returns how many.</summary>
    Task<int> RevokeAllForSubjectAsync(long organizationId, string subject, DateTimeOffset now, CancellationToken cancellationToken);
}

public enum RefreshRotationStatus
{
    Rotated,
    NotFound,

    /// <summary>A token already rotated away was presented again: the family is compromised.</summary>
    Reused,
    Expired,
    Revoked,

    /// <summary>The token belongs to another client (RFC 6749 §6: refresh tokens are bound to their client).</summary>
    ClientMismatch,
}

/// <summary>The outcome of a rotation; <see cref="Grant"/> is set whenever the token was found.</summary>
public sealed record RefreshRotation(RefreshRotationStatus Status, Grant? Grant)
{
    /// <summary>For <c>Rotated</c>, the grant's user as read in the same round trip, when the store can.</summary>
    public IncludedUser? User { get; init; }
}

/// <summary>
/// A stored refresh token: its <see cref="Grant"/>, when it was issued, when it expires (never after the grant) and
/// whether it was rotated away.
/// </summary>
public sealed record RefreshTokenLookup(Grant Grant, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, bool Rotated)
{
    /// <summary>Whether presenting it at <paramref name="now"/> would succeed: current, unexpired, its grant unrevoked.</summary>
    public bool IsActive(DateTimeOffset now) =>
        !Rotated && Grant.RevokedAt is null && now < ExpiresAt && now < Grant.ExpiresAt;
}

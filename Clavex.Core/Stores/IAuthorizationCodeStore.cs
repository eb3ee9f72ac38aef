using Clavex.Core.Authorization;
using Clavex.Core.Token;

namespace Clavex.Core.Stores;

public interface IAuthorizationCodeStore
{
    Task StoreAsync(AuthorizationCode code, CancellationToken cancellationToken);

    /// <summary>
    /// Marks the code redeemed, atomically: of two concurrent redemptions exactly one sees
    /// <see cref="CodeRedemptionStatus.Redeemed"/>. The same operation creates the code's <see cref="Grant"/> (absolute
    /// expiry <paramref name="grantExpiresAt"/>) and, only when the code has
    /// <see cref="AuthorizationCode.IssueRefreshToken"/>, <paramref name="refreshToken"/> as its first refresh token,
    /// so the token hot path is one round trip. The grant exists either way, so that access tokens issued under it
    /// can be revoked (a replayed code revokes everything issued from it).
    /// Expiry is not checked here; the caller checks it on the returned code.
    /// </summary>
    Task<CodeRedemption> RedeemAsync(
        long organizationId,
        byte[] codeHash,
        DateTimeOffset now,
        RefreshTokenRecord refreshToken,
        DateTimeOffset grantExpiresAt,
        CancellationToken cancellationToken);
}

public enum CodeRedemptionStatus
{
    Redeemed,
    NotFound,

    /// <summary>The code was redeemed before: a replay (RFC 6749 §4.1.2).</summary>
    AlreadyRedeemed,
}

/// <summary>The outcome of a redemption; <see cref="Code"/> is set for <c>Redeemed</c> and <c>AlreadyRedeemed</c>.</summary>
public sealed record CodeRedemption(CodeRedemptionStatus Status, AuthorizationCode? Code)
{
    /// <summary>For <c>Redeemed</c>, the code's user as read in the same round trip, when the store can.</summary>
    public IncludedUser? User { get; init; }
}

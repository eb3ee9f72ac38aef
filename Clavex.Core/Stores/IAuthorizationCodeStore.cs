using Clavex.Core.Authorization;
using Clavex.Core.Token;

namespace Clavex.Core.Stores;

public interface IAuthorizationCodeStore
{
    Task StoreAsync(AuthorizationCode code, CancellationToken cancellationToken);

    /// <summary>
    /// Marks the code redeemed, atomically: of two concurrent redemptions exactly one sees
    /// <see cref="CodeRedemptionStatus.Redeemed"/>. When the code has <see cref="AuthorizationCode.IssueRefreshToken"/>,
    /// the same operation creates its <see cref="Grant"/> with <paramref name="refreshToken"/> as the first token
    /// (the grant's absolute expiry is <paramref name="grantExpiresAt"/>), so the token hot path is one round trip.
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
public sealed record CodeRedemption(CodeRedemptionStatus Status, AuthorizationCode? Code);

using Clavex.Core.Jose;
using Clavex.Core.Protocol;
using Clavex.Core.Stores;

namespace Clavex.Core.Token;

/// <summary>
/// Validates a Clavex access token (RFC 9068) for the organisation's own resource servers: userinfo, introspection,
/// revocation and the organisation-admin API. The token must be signed by one of the organisation's published keys
/// with an algorithm Clavex issues, carry the organisation's issuer as <c>iss</c> and <c>aud</c> (RFC 9068 §4),
/// have <c>typ</c> <c>at+jwt</c> (§2.1) and not have expired.
/// </summary>
public sealed class AccessTokenValidator(ISigningKeyStore keys, IGrantStore grants, TimeProvider timeProvider)
{
    /// <summary>Clavex validates its own tokens on its own clocks; only instance drift needs tolerating.</summary>
    public static readonly TimeSpan OwnTokenClockSkew = TimeSpan.FromSeconds(5);

    /// <summary>RFC 7662 §2.2: "active" is a statement about now, so introspection allows no skew.</summary>
    public static readonly TimeSpan NoClockSkew = TimeSpan.Zero;

    /// <summary>Revocation (RFC 7009) tolerates a token just past its expiry: revoking it still revokes its grant.</summary>
    public static readonly TimeSpan RevocationClockSkew = TimeSpan.FromSeconds(60);

    // RFC 8725 §3.1: the algorithms are ours, never the token's; these are the ones Clavex signs access tokens with.
    private static readonly JwsAlgorithm[] AllowedAlgorithms = [JwsAlgorithm.RS256, JwsAlgorithm.PS256, JwsAlgorithm.ES256];

    /// <summary>The token's claims, or the refusal. Dispose the result: a valid one holds the pooled payload.</summary>
    public async Task<ValidatedAccessToken> ValidateAsync(Organization organization, string token, TimeSpan clockSkew, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(organization);
        ArgumentNullException.ThrowIfNull(token);
        SigningKeys signingKeys = await keys.GetAsync(organization.Id, cancellationToken);
        JwtValidationResult validation = JwtValidator.Validate(token, new JwtValidationParameters
        {
            Keys = signingKeys.Verification,
            AllowedAlgorithms = AllowedAlgorithms,
            Issuer = organization.Issuer,
            Audiences = [organization.Issuer],
            RequiredType = JwtType.AccessToken,
            ClockSkew = clockSkew,
            TimeProvider = timeProvider,
        });
        return new ValidatedAccessToken(validation);
    }

    /// <summary>
    /// Whether the grant a token was issued from still stands. Revoking a grant (RFC 7009 §2.1, a replayed code or
    /// refresh token) ends its access tokens before they expire.
    /// </summary>
    public async Task<bool> IsGrantActiveAsync(Organization organization, string grantId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(organization);
        Grant? grant = await grants.FindAsync(organization.Id, grantId, cancellationToken);
        return grant is not null && grant.RevokedAt is null;
    }
}

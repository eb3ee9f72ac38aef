namespace Clavex.Server.Admin.Schemas;

// Shapes of /api/v1/organizations/{org}/signing-keys for the OpenAPI document; SigningKeysApi writes the JSON itself.

/// <summary>
/// A signing key, never its private part. <c>state</c>: next (published, not yet signing), current (signing),
/// previous (published until <c>retire_after</c>), retired (unpublished).
/// </summary>
public sealed record SigningKeyResponse(
    string Kid, string Alg, string State, DateTimeOffset CreatedAt, DateTimeOffset? ActivatesAt, DateTimeOffset? ActivatedAt,
    DateTimeOffset? RetireAfter, DateTimeOffset? RetiredAt);

public sealed record SigningKeyListResponse(IReadOnlyList<SigningKeyResponse> SigningKeys);

/// <summary>
/// Optional: <c>algorithm</c> (RS256, PS256 or ES256; also becomes the organisation's signing_algorithm) and
/// <c>immediate</c> (sign with the new key at once and unpublish the old one: for a compromised key only).
/// </summary>
public sealed record SigningKeyRotationRequest(string? Algorithm = null, bool? Immediate = null);

/// <summary>The new key; after an immediate rotation, also the kids taken out of the JWK Set.</summary>
public sealed record SigningKeyRotationResponse(
    string Kid, string Alg, string State, DateTimeOffset CreatedAt, DateTimeOffset? ActivatesAt, DateTimeOffset? ActivatedAt,
    DateTimeOffset? RetireAfter, DateTimeOffset? RetiredAt, IReadOnlyList<string>? Unpublished = null);

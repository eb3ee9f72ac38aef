namespace Clavex.Server.Admin.Schemas;

// Shapes of /api/v1/organizations for the OpenAPI document; OrganizationsApi reads and writes the JSON itself.

/// <summary>
/// A new organisation. <c>signing_algorithm</c>: RS256 (default), PS256 or ES256. <c>key_rotation_days</c>: days
/// between scheduled key rotations, 1 to 3650, default 90, null for none.
/// </summary>
public sealed record OrganizationCreateRequest(string Slug, string DisplayName, string? SigningAlgorithm = null, int? KeyRotationDays = null);

/// <summary>
/// Any of the members; a new <c>signing_algorithm</c> applies from the next rotation, <c>key_rotation_days: null</c>
/// turns scheduled rotation off. <c>mfa_policy</c>: <c>optional</c>, <c>required</c> or <c>required_for_groups</c>
/// (the members of <c>mfa_groups</c>); <c>mfa_grace_period_seconds</c>: how long a user who must use a second factor
/// and has none may still enrol one at sign-in (0 to 7776000, default 604800); <c>mfa_factors</c>: the second factors
/// users may enrol and use, <c>totp</c> and/or <c>passkey</c> (default both; recovery codes always work);
/// <c>passwordless</c>: whether the login page offers signing in with a passkey alone (default false);
/// <c>password_min_length</c>: 8 to 64, default 12, checked whenever a password is set. <c>logo_uri</c> (an https
/// URL of an image, shown above the organisation's name on its pages) and <c>accent_color</c> (<c>#rrggbb</c> for
/// buttons and links, at least 4.5:1 against white): null removes them. <c>request_limits</c>: the abuse limits to
/// change (a number sets one, null returns it to its default); see <see cref="RequestLimitsObject"/>.
/// </summary>
public sealed record OrganizationPatchRequest(
    string? DisplayName = null, string? SigningAlgorithm = null, int? KeyRotationDays = null,
    string? MfaPolicy = null, IReadOnlyList<string>? MfaGroups = null, int? MfaGracePeriodSeconds = null, int? PasswordMinLength = null,
    IReadOnlyList<string>? MfaFactors = null, bool? Passwordless = null, string? LogoUri = null, string? AccentColor = null,
    RequestLimitsObject? RequestLimits = null);

/// <summary>
/// An organisation's abuse limits (docs/security.md): <c>token_requests_per_minute</c> (/token, /introspect and
/// /revoke, per client address; default 1200), <c>userinfo_requests_per_minute</c> (per client address; 1200),
/// <c>admin_requests_per_minute</c> (per token; 600), <c>sign_in_failures_per_address</c> (wrong passwords per address
/// in 15 minutes; 30) and <c>sign_in_failures_per_address_and_username</c> (1 to 9, below the account lock; 5).
/// </summary>
public sealed record RequestLimitsObject(
    int? TokenRequestsPerMinute = null, int? UserinfoRequestsPerMinute = null, int? AdminRequestsPerMinute = null,
    int? SignInFailuresPerAddress = null, int? SignInFailuresPerAddressAndUsername = null);

/// <summary>An organisation; <c>mfa_required_since</c> is when the MFA policy last became stricter (the grace period's start).</summary>
public sealed record OrganizationResponse(
    string Slug, string DisplayName, string Issuer, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string SigningAlgorithm, int? KeyRotationDays,
    string MfaPolicy, IReadOnlyList<string> MfaGroups, int MfaGracePeriodSeconds, DateTimeOffset? MfaRequiredSince, IReadOnlyList<string> MfaFactors,
    bool Passwordless, int PasswordMinLength, string? LogoUri, string? AccentColor, RequestLimitsObject RequestLimits);

public sealed record OrganizationListResponse(IReadOnlyList<OrganizationResponse> Organizations);

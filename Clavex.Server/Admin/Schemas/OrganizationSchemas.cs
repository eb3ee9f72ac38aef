namespace Clavex.Server.Admin.Schemas;

// Shapes of /api/v1/organizations for the OpenAPI document; OrganizationsApi reads and writes the JSON itself.

/// <summary>
/// A new organisation. <c>signing_algorithm</c>: RS256 (default), PS256 or ES256. <c>key_rotation_days</c>: days
/// between scheduled key rotations, 1 to 3650, default 90, null for none.
/// </summary>
public sealed record OrganizationCreateRequest(string Slug, string DisplayName, string? SigningAlgorithm = null, int? KeyRotationDays = null);

/// <summary>
/// Any of the members; a new <c>signing_algorithm</c> applies from the next rotation, <c>key_rotation_days: null</c>
/// turns scheduled rotation off.
/// </summary>
public sealed record OrganizationPatchRequest(string? DisplayName = null, string? SigningAlgorithm = null, int? KeyRotationDays = null);

public sealed record OrganizationResponse(
    string Slug, string DisplayName, string Issuer, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string SigningAlgorithm, int? KeyRotationDays);

public sealed record OrganizationListResponse(IReadOnlyList<OrganizationResponse> Organizations);

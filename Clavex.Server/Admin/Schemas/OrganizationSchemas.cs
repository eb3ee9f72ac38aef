namespace Clavex.Server.Admin.Schemas;

// Shapes of /api/v1/organizations for the OpenAPI document; OrganizationsApi reads and writes the JSON itself.

public sealed record OrganizationCreateRequest(string Slug, string DisplayName);

public sealed record OrganizationPatchRequest(string DisplayName);

public sealed record OrganizationResponse(string Slug, string DisplayName, string Issuer, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record OrganizationListResponse(IReadOnlyList<OrganizationResponse> Organizations);

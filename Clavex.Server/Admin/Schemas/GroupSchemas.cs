namespace Clavex.Server.Admin.Schemas;

// Shapes of /api/v1/organizations/{org}/groups for the OpenAPI document; GroupsApi reads and writes the JSON itself.

/// <summary>Create or rename: the group's exact name (1 to 256 characters, no '/').</summary>
public sealed record GroupNameRequest(string Name);

public sealed record GroupResponse(string Name, DateTimeOffset CreatedAt, long MemberCount);

public sealed record GroupListResponse(IReadOnlyList<GroupResponse> Groups);

namespace Clavex.Server.Storage;

/// <summary>An organisation as stored; its issuer is the public base URL followed by <see cref="Slug"/>.</summary>
public sealed record OrganizationRecord(long Id, string Slug, string DisplayName);

/// <summary>An organisation with its timestamps, as the admin API shows it.</summary>
public sealed record OrganizationDetails(long Id, string Slug, string DisplayName, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    /// <summary>Bumped by every admin change; the admin API's ETag.</summary>
    public long Version { get; init; }
}

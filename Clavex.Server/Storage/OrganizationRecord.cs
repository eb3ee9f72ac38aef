using Clavex.Core.Factors;

namespace Clavex.Server.Storage;

/// <summary>An organisation as stored; its issuer is the public base URL followed by <see cref="Slug"/>.</summary>
public sealed record OrganizationRecord(long Id, string Slug, string DisplayName)
{
    /// <summary>Who must use a second factor; what the protocol endpoints' cached organisation carries.</summary>
    public SignInPolicy SignInPolicy { get; init; } = SignInPolicy.Default;

    public string? LogoUri { get; init; }

    public string? AccentColor { get; init; }

    public RequestLimits RequestLimits { get; init; } = RequestLimits.Default;
}

/// <summary>How an organisation's pages look: its display name, and the logo and accent colour its admins set (or null).</summary>
public sealed record OrganizationBranding(string DisplayName, string? LogoUri, string? AccentColor);

/// <summary>
/// An organisation with its timestamps and signing-key policy, as the admin API shows it. <see cref="KeyRotationDays"/>
/// null means no scheduled rotation.
/// </summary>
public sealed record OrganizationDetails(
    long Id, string Slug, string DisplayName, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string SigningAlgorithm, int? KeyRotationDays)
{
    /// <summary>Bumped by every admin change; the admin API's ETag.</summary>
    public long Version { get; init; }

    /// <summary>Who must use a second factor, and the enrolment grace period.</summary>
    public SignInPolicy SignInPolicy { get; init; } = SignInPolicy.Default;

    public string? LogoUri { get; init; }

    public string? AccentColor { get; init; }

    public RequestLimits RequestLimits { get; init; } = RequestLimits.Default;
}

/// <summary>
/// How an organisation's signing keys are made: the algorithm of new keys and the days between scheduled rotations
/// (null: none).
/// </summary>
public sealed record SigningKeyPolicy(string SigningAlgorithm, int? KeyRotationDays)
{
    public const int DefaultKeyRotationDays = 90;

    public const int MaxKeyRotationDays = 3650;

    public static readonly SigningKeyPolicy Default = new("RS256", DefaultKeyRotationDays);
}
